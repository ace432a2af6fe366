import { spawnSync } from "node:child_process";
import { projectRoot } from "../../src/paths.ts";

/** Runs one of the project's CLIs the way npm does, with optional piped stdin. */
export function runCli(script: string, args: string[], input = "") {
  const result = spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: projectRoot,
    input,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
