import { spawnSync } from "node:child_process";
import { isAbsolute, join } from "node:path";
import { projectRoot, tsxLoader } from "../../src/paths.ts";

export interface RunCliOptions {
  /** Working directory; default the project root. */
  cwd?: string;
  /** Variables to set, or to remove (undefined), on top of this process's environment. */
  env?: Record<string, string | undefined>;
  /** Kills the CLI (SIGTERM) after this many ms; default none. */
  timeout?: number;
}

/** Runs one of the project's CLIs the way npm does, with optional piped stdin. */
export function runCli(script: string, args: string[], input = "", options: RunCliOptions = {}) {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  // tsx's loader by path, so a working directory outside the project still finds it.
  const result = spawnSync(
    process.execPath,
    ["--import", tsxLoader, isAbsolute(script) ? script : join(projectRoot, script), ...args],
    {
      cwd: options.cwd ?? projectRoot,
      input,
      encoding: "utf8",
      env,
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
