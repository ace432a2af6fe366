import { createWriteStream, existsSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { parseCliArgs, parseDay, runStoreCli, UsageError } from "../records/cliSupport.ts";
import { csvLine } from "../records/csv.ts";
import { REPORT_COLUMNS, type ReportRow } from "../records/types.ts";

const DAY_MS = 86_400_000;

const USAGE = `Prints one row per consultation started in a date range, for spreadsheets.

Usage: npm run -s report -- --since YYYY-MM-DD [--until YYYY-MM-DD] [--format csv|json] [--out FILE]

  --since   first day (UTC), inclusive; required
  --until   last day (UTC), inclusive; default: no end
  --format  csv (default; header row, RFC 4180 quoting) or json
  --out     write to FILE (replaced only once the whole report is written;
            - is standard output, the default)

Columns: ${REPORT_COLUMNS.join(", ")}
Reads DATABASE_URL (PostgreSQL) or SQLITE_PATH (default ./data/consultations.db).
(-s keeps npm's own "> ssl-move-bot report" lines out of the output.)`;

await runStoreCli("report", USAGE, async ({ open }) => {
  const args = parseCliArgs(process.argv.slice(2), {
    since: { type: "string" },
    until: { type: "string" },
    format: { type: "string", default: "csv" },
    out: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args.since === undefined) throw new UsageError("--since is required");
  const since = parseDay("--since", args.since);
  const until =
    args.until === undefined ? undefined : new Date(parseDay("--until", args.until).getTime() + DAY_MS);
  if (until !== undefined && until <= since) throw new UsageError("--until must not be before --since");
  const format = args.format;
  if (format !== "csv" && format !== "json")
    throw new UsageError(`--format must be csv or json, got "${format}"`);
  if (args.out === "") throw new UsageError("--out needs a file name");
  if (args.out !== undefined && args.out !== "-") refuseOut(args.out);

  const store = await open();
  const pages = store.reportPages(until === undefined ? { since } : { since, until });
  if (args.out === undefined || args.out === "-") {
    try {
      // Progress only when the report itself is not on the terminal: the two would run into each other.
      await pipeline(reportText(pages, format, progressLine(!process.stdout.isTTY)), process.stdout, {
        end: false,
      });
    } catch (error) {
      // The reader stopped reading (report | head): not a failure of the report.
      if ((error as NodeJS.ErrnoException).code !== "EPIPE") throw error;
    }
    return;
  }
  // Written beside the target and renamed at the end: a failed report never
  // leaves a half file where last month's good one was.
  const partial = join(dirname(args.out), `.${basename(args.out)}.${process.pid}.partial`);
  // Ctrl-C (or a stop) must not leave the hidden partial file behind.
  const interrupted = (signal: NodeJS.Signals) => {
    rmSync(partial, { force: true });
    process.stderr.write(`report: stopped by ${signal}; ${args.out} was not changed\n`);
    process.exit(130);
  };
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  const progress = progressLine(true);
  try {
    await pipeline(reportText(pages, format, progress), createWriteStream(partial, { flags: "wx" }));
    renameSync(partial, args.out);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
  }
  process.stdout.write(`Wrote ${progress.count().toLocaleString("en")} consultation(s) to ${args.out}.\n`);
});

/** Why a report cannot go to `out`, found before anything is read or written (a bad path, not a stack trace). */
function refuseOut(out: string): void {
  if (existsSync(out) && statSync(out).isDirectory())
    throw new UsageError(`--out ${out} is a folder; give a file name`);
  const folder = dirname(out);
  if (!existsSync(folder)) throw new UsageError(`--out ${out}: the folder ${folder} does not exist`);
}

/** The report as text, a page at a time: CSV, or the same JSON that JSON.stringify(rows, null, 2) gives. */
async function* reportText(
  pages: AsyncIterable<ReportRow[]>,
  format: "csv" | "json",
  progress: ReturnType<typeof progressLine>,
): AsyncGenerator<string> {
  let count = 0;
  yield format === "csv" ? csvLine(REPORT_COLUMNS) : "[";
  for await (const page of pages) {
    let text = "";
    for (const row of page) {
      if (format === "csv") text += csvLine(REPORT_COLUMNS.map((c) => row[c]));
      else text += `${count === 0 ? "" : ","}\n  ${JSON.stringify(row, null, 2).replaceAll("\n", "\n  ")}`;
      count++;
    }
    yield text;
    progress(count, page.at(-1)?.started_at);
  }
  if (format === "json") yield count === 0 ? "]\n" : "\n]\n";
  progress.done(count);
}

/** "report: 120,000 consultations so far (through 2025-03-14)" on a terminal, at most once a second. */
function progressLine(wanted: boolean) {
  const shown = wanted && process.stderr.isTTY === true;
  let last = Date.now();
  let printed = false;
  let total = 0;
  const update = (count: number, through: string | undefined) => {
    total = count;
    if (!shown || Date.now() - last < 1000) return;
    last = Date.now();
    printed = true;
    const day = through ? ` (through ${through.slice(0, 10)})` : "";
    process.stderr.write(`\rreport: ${count.toLocaleString("en")} consultations so far${day}`);
  };
  return Object.assign(update, {
    /** Rows so far. */
    count: () => total,
    done(count: number) {
      total = count;
      if (printed) process.stderr.write(`\rreport: ${count.toLocaleString("en")} consultations in all\n`);
    },
  });
}
