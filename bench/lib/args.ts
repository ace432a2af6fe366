import { parseArgsOnce } from "../../src/util/parseArgsOnce.ts";

/**
 * A numeric option: its default (none: optional), and the smallest and the
 * largest value that make sense (a bench holds some counts in memory at once:
 * a count past what it can hold ends in a crash, not a result).
 */
export interface CountOption {
  default?: number;
  min: number;
  max: number;
}

/** An option with a default always has a number; one without may be absent. */
export type Counts<S extends Record<string, CountOption>> = {
  [N in keyof S]: S[N] extends { default: number } ? number : number | undefined;
};

/** Stops a bench before it starts: what is wrong in one line, then the usage (exit 2). */
export function refuse(problem: string, usage: string): never {
  process.stderr.write(`${problem}\n${usage}\n`);
  process.exit(2);
}

/**
 * Reads a bench's `--name N` options, all whole numbers. `--help` prints the
 * usage; an unknown option or a bad number prints what is wrong and the usage
 * (exit 2), never a stack trace.
 */
export function readCounts<S extends Record<string, CountOption>>(
  usage: string,
  spec: S,
  argv: string[] = process.argv.slice(2),
): Counts<S> {
  const fail = (problem: string): never => refuse(problem, usage);
  let parsed: Record<string, unknown> = {};
  try {
    const options = Object.fromEntries([
      ...Object.keys(spec).map((name) => [name, { type: "string" as const }]),
      ["help", { type: "boolean" as const, short: "h" }],
    ]);
    parsed = parseArgsOnce({ args: argv, options, allowPositionals: false }).values as Record<
      string,
      unknown
    >;
  } catch (error) {
    fail((error as Error).message);
  }
  if (parsed.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const counts: Record<string, number | undefined> = {};
  for (const [name, { default: fallback, min, max }] of Object.entries(spec)) {
    const raw = parsed[name];
    if (raw === undefined) {
      counts[name] = fallback;
      continue;
    }
    const n = Number(raw);
    if (typeof raw !== "string" || !/^\d+$/.test(raw.trim()) || n < min)
      fail(`--${name} must be a whole number of at least ${min} (got "${String(raw)}")`);
    if (n > max) fail(`--${name} must be at most ${max} (got "${String(raw)}")`);
    counts[name] = n;
  }
  return counts as Counts<S>;
}
