import { writeFileMakingDirs } from "../util/writeFileMakingDirs.ts";

/**
 * A generated file's last step for the flow tools: "-" prints it, anything
 * else is written (folders made) and named; a file that cannot be written is
 * one line and exit code 1, never a stack trace.
 */
export function writeOutput(tool: string, out: string, text: string): void {
  if (out === "-") {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileMakingDirs(out, text);
    process.stdout.write(`wrote ${out}\n`);
  } catch (error) {
    process.stderr.write(`${tool}: cannot write ${out}: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
