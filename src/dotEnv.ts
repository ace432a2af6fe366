import { existsSync } from "node:fs";

/**
 * Loads `.env` from the working directory into process.env, as `npm start`
 * and the record tools all do; variables already set win over it. Returns
 * why the file cannot be read, or undefined (also when there is none).
 */
export function loadDotEnv(file = ".env"): string | undefined {
  if (!existsSync(file)) return undefined;
  try {
    process.loadEnvFile(file);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
