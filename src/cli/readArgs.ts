import type { ParseArgsConfig } from "node:util";
import { parseArgsOnce } from "../util/parseArgsOnce.ts";

/**
 * parseArgs for the flow tools: a bad option prints one line and the usage
 * and exits 2, never a stack trace. (`--help` is each tool's own option.)
 */
export function readArgs<T extends ParseArgsConfig>(name: string, usage: string, config: T) {
  try {
    return parseArgsOnce(config);
  } catch (error) {
    // Node's hint to pass the word as a positional after `--` would make a flow tool read it as a file.
    const message = (error as Error).message.split(". To specify a positional argument")[0];
    process.stderr.write(`${name}: ${message}\n\n${usage}\n`);
    process.exit(2);
  }
}
