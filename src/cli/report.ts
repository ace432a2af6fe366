import { once } from "node:events";
import { createWriteStream, existsSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Writable } from "node:stream";
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
      await writeReport(process.stdout, pages, format, !process.stdout.isTTY);
    } catch (error) {
      // The reader stopped reading (report | head): not a failure of the report.
      if ((error as NodeJS.ErrnoException).code !== "EPIPE") throw error;
    }
    return;
  }
  // Written beside the target and renamed at the end: a failed report never
  // leaves a half file where last month's good one was.
  const partial = join(dirname(args.out), `.${basename(args.out)}.${process.pid}.partial`);
  const file = createWriteStream(partial, { flags: "wx" });
  // Ctrl-C (or a stop) must not leave the hidden partial file behind.
  const interrupted = (signal: NodeJS.Signals) => {
    file.destroy();
    rmSync(partial, { force: true });
    process.stderr.write(`report: stopped by ${signal}; ${args.out} was not changed\n`);
    process.exit(130);
  };
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  try {
    await once(file, "open");
    const count = await writeReport(file, pages, format, true);
    file.end();
    await once(file, "finish");
    renameSync(partial, args.out);
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
    process.stdout.write(`Wrote ${count.toLocaleString("en")} consultation(s) to ${args.out}.\n`);
  } catch (error) {
    file.destroy();
    rmSync(partial, { force: true });
    throw error;
  }
});

/** Why a report cannot go to `out`, found before anything is read or written (a bad path, not a stack trace). */
function refuseOut(out: string): void {
  if (existsSync(out) && statSync(out).isDirectory())
    throw new UsageError(`--out ${out} is a folder; give a file name`);
  const folder = dirname(out);
  if (!existsSync(folder)) throw new UsageError(`--out ${out}: the folder ${folder} does not exist`);
}

/** Streams the pages as CSV or JSON (the same text JSON.stringify(rows, null, 2) gives); returns the row count. */
async function writeReport(
  out: Writable,
  pages: AsyncIterable<ReportRow[]>,
  format: "csv" | "json",
  showProgress: boolean,
) {
  // Not while the report itself is on the terminal: the two would run into each other.
  const progress = progressLine(showProgress);
  let count = 0;
  // Waits for the output to drain, so a slow disk or pipe never makes the report pile up in memory.
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (out.write(text)) return resolve();
      const drained = () => {
        out.off("error", failed);
        resolve();
      };
      const failed = (error: Error) => {
        out.off("drain", drained);
        reject(error);
      };
      out.once("drain", drained);
      out.once("error", failed);
    });
  if (format === "csv") await write(csvLine(REPORT_COLUMNS));
  else await write("[");
  for await (const page of pages) {
    let text = "";
    for (const row of page) {
      if (format === "csv") text += csvLine(REPORT_COLUMNS.map((c) => row[c]));
      else text += `${count === 0 ? "" : ","}\n  ${JSON.stringify(row, null, 2).replaceAll("\n", "\n  ")}`;
      count++;
    }
    await write(text);
    progress(count, page.at(-1)?.started_at);
  }
  if (format === "json") await write(count === 0 ? "]\n" : "\n]\n");
  progress.done(count);
  return count;
}

/** "report: 120,000 consultations so far (through 2025-03-14)" on a terminal, at most once a second. */
function progressLine(wanted: boolean) {
  const shown = wanted && process.stderr.isTTY === true;
  let last = Date.now();
  let printed = false;
  const update = (count: number, through: string | undefined) => {
    if (!shown || Date.now() - last < 1000) return;
    last = Date.now();
    printed = true;
    const day = through ? ` (through ${through.slice(0, 10)})` : "";
    process.stderr.write(`\rreport: ${count.toLocaleString("en")} consultations so far${day}`);
  };
  return Object.assign(update, {
    done(count: number) {
      if (printed) process.stderr.write(`\rreport: ${count.toLocaleString("en")} consultations in all\n`);
    },
  });
}
