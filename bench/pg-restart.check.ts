/**
 * A fault check to run by hand (root, Debian's PostgreSQL): the app on
 * PostgreSQL serves consultations from 8 concurrent customers while the
 * cluster restarts; nothing may crash, every completed consultation must be
 * recorded. Prints what it saw.
 *
 *   source scripts/ci-postgres.sh && npx tsx bench/pg-restart.check.ts
 */
import { execFileSync } from "node:child_process";
import pg from "pg";
import { startFakeSlack } from "../src/slack/fakeSlack/index.ts";
import { click, command, PATHS, questionOf, snapshot, startApp } from "../test/instances/appProcess.ts";
import { BOT_TOKEN, readResult } from "../test/support/harness.ts";
import { readCounts } from "./lib/args.ts";

readCounts(
  "usage: source scripts/ci-postgres.sh && npx tsx bench/pg-restart.check.ts   (root, Debian PostgreSQL)",
  {},
);

const url = process.env.TEST_DATABASE_URL;
if (!url) throw new Error("set TEST_DATABASE_URL (source scripts/ci-postgres.sh)");
const cluster = (process.env.PG_CLUSTER ?? "15 main").split(" ");
const schema = `restart_${Date.now()}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
await admin.end(); // an idle client of ours would itself be cut by the restart
const appUrl = new URL(url);
appUrl.searchParams.set("options", `-c search_path=${schema}`);

const fake = await startFakeSlack({ botToken: BOT_TOKEN });
const app = await startApp(fake, { DATABASE_URL: appUrl.toString() });
let completed = 0;
let failed = 0;
let running = true;
const customer = async (w: number) => {
  for (let i = 0; running; i++) {
    const answers = PATHS[i % PATHS.length] as Record<string, string>;
    const user = `U0R${w}X${i}`;
    try {
      let m = snapshot(await command(fake, app, { user, channel: "C0GENERAL" }));
      for (let q = questionOf(m); q !== undefined; q = questionOf(m))
        m = await click(fake, app, m, `answer:${q}:${answers[q]}`, user);
      if (readResult(m.blocks)) completed++;
    } catch (error) {
      failed++;
      console.error("consultation failed:", (error as Error).message);
    }
  }
};
const customers = Array.from({ length: 8 }, (_, w) => customer(w));
await new Promise((r) => setTimeout(r, 3000));
const began = Date.now();
execFileSync("pg_ctlcluster", [...cluster, "restart"]);
console.log(`restarted PostgreSQL in ${Date.now() - began} ms; app alive: ${app.child.exitCode === null}`);
await new Promise((r) => setTimeout(r, 5000));
running = false;
await Promise.all(customers);
const stopped = await app.stop();
const check = new pg.Client({ connectionString: url });
await check.connect();
const rows = (
  await check.query(
    `SELECT COUNT(DISTINCT consultation_id) AS n FROM ${schema}.consultation_events WHERE kind = 'completed'`,
  )
).rows as Array<{ n: string }>;
await check.query(`DROP SCHEMA ${schema} CASCADE`);
await check.end();
await fake.close();
console.log(
  `completed consultations ${completed}, failed ${failed}, completed records in PostgreSQL ${rows[0]?.n}, app exit code ${stopped.code}`,
);
console.log(
  app
    .output()
    .split("\n")
    .filter((l) => /records: \d+ event|dropped/.test(l))
    .join("\n"),
);
process.exitCode = failed === 0 && Number(rows[0]?.n) === completed && stopped.code === 0 ? 0 : 1;
