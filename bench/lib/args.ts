import { parseArgs } from "node:util";

/** A numeric option: its default (none: optional) and the smallest value that makes sense. */
export interface CountOption {
  default?: number;
  min: number;
}

/**
 * Reads a bench's `--name N` options, all whole numbers. `--help` prints the
 * usage; an unknown option or a bad number prints what is wrong and the usage
 * (exit 2), never a stack trace.
 */
export function readCounts<K extends string>(
  usage: string,
  spec: Record<K, CountOption>,
  argv: string[] = process.argv.slice(2),
): Record<K, number | undefined> {
  const fail = (problem: string): never => {
    process.stderr.write(`${problem}\n${usage}\n`);
    process.exit(2);
  };
  let parsed: Record<string, unknown> = {};
  try {
    const options = Object.fromEntries([
      ...Object.keys(spec).map((name) => [name, { type: "string" as const }]),
      ["help", { type: "boolean" as const, short: "h" }],
    ]);
    parsed = parseArgs({ args: argv, options, allowPositionals: false }).values as Record<string, unknown>;
  } catch (error) {
    fail((error as Error).message);
  }
  if (parsed.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const counts = {} as Record<K, number | undefined>;
  for (const name of Object.keys(spec) as K[]) {
    const raw = parsed[name];
    const { default: fallback, min } = spec[name];
    if (raw === undefined) {
      counts[name] = fallback;
      continue;
    }
    const n = Number(raw);
    if (typeof raw !== "string" || !/^\d+$/.test(raw.trim()) || n < min)
      fail(`--${name} must be a whole number of at least ${min} (got "${String(raw)}")`);
    counts[name] = n;
  }
  return counts;
}
