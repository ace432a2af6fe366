import { parseCliArgs, parseDay, runStoreCli, UsageError } from "../records/cliSupport.ts";
import { toCsv } from "../records/csv.ts";
import { REPORT_COLUMNS } from "../records/types.ts";

const DAY_MS = 86_400_000;

const USAGE = `Prints one row per consultation started in a date range, for spreadsheets.

Usage: npm run report -- --since YYYY-MM-DD [--until YYYY-MM-DD] [--format csv|json]

  --since   first day (UTC), inclusive; required
  --until   last day (UTC), inclusive; default: no end
  --format  csv (default; header row, RFC 4180 quoting) or json

Columns: ${REPORT_COLUMNS.join(", ")}
Reads DATABASE_URL (PostgreSQL) or SQLITE_PATH (default ./data/consultations.db).`;

await runStoreCli("report", USAGE, async (open) => {
  const args = parseCliArgs(process.argv.slice(2), {
    since: { type: "string" },
    until: { type: "string" },
    format: { type: "string", default: "csv" },
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

  const rows = await (await open()).report(until === undefined ? { since } : { since, until });
  process.stdout.write(format === "csv" ? toCsv(REPORT_COLUMNS, rows) : `${JSON.stringify(rows, null, 2)}\n`);
});
