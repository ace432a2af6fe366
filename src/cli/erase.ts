import { parseCliArgs, runStoreCli, UsageError } from "../records/cliSupport.ts";

const USAGE = `Removes every consultation record of one Slack user (events and staff
handoffs) and prints how many records were removed.

Usage: npm run erase -- --user U0123ABCD

Reads DATABASE_URL (PostgreSQL) or SQLITE_PATH (default ./data/consultations.db).`;

await runStoreCli("erase", USAGE, async ({ open, shown }) => {
  const args = parseCliArgs(process.argv.slice(2), {
    user: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args.user === undefined) throw new UsageError("--user is required");
  // Slack user ids: U… or W… (Enterprise Grid), upper-case letters and digits.
  if (!/^[UW][A-Z0-9]+$/.test(args.user)) {
    throw new UsageError(`--user must be a Slack user id such as U0123ABCD, got "${args.user}"`);
  }
  const store = await open();
  const removed = await store.eraseUser(args.user);
  const scrubbed = await store.scrubErased();
  process.stdout.write(`Removed ${removed} record(s) of user ${args.user} from ${shown()}.\n`);
  // A second run clears what a busy first one left in the log, so "busy" is said even when nothing was removed.
  if (scrubbed === "busy")
    process.stderr.write(
      "erase: the bot was using the database, so old copies of the removed records stay in its write-ahead log (the -wal file) until the bot's next checkpoint; run erase again later to clear them at once\n",
    );
  else if (scrubbed === "not_possible" && removed > 0)
    process.stderr.write(
      "erase: PostgreSQL keeps the bytes of deleted rows in its files until VACUUM reuses their space, and in any backups or WAL archives\n",
    );
});
