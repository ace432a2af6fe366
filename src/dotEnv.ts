import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";

/**
 * Loads `.env` from the working directory into process.env, as `npm start`
 * and the record tools all do; variables already set win over it. Returns
 * why the file cannot be read, or undefined (also when there is none).
 */
export function loadDotEnv(file = ".env"): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "EISDIR") return "it is a directory, not a file";
    if (code === "EACCES" || code === "EPERM") return "permission denied";
    return (error as Error).message;
  }
  // Editors on Windows save a byte-order mark; left in, it would become part of
  // the first variable's name ("\uFEFFSQLITE_PATH"), which then silently goes unused.
  const values = parseEnv(text.replace(/^\uFEFF/, ""));
  for (const [name, value] of Object.entries(values)) {
    if (process.env[name] === undefined) process.env[name] = value;
  }
  return undefined;
}
