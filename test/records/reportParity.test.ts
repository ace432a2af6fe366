import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PostgresStore } from "../../src/records/postgresStore.ts";
import { SqliteStore } from "../../src/records/sqliteStore.ts";
import type { SqlRunner } from "../../src/records/sqlRunner.ts";
import type { ConsultationEvent, RecordStore, ReportRow, StatsRange } from "../../src/records/types.ts";
import { dropSchemas, TEST_DATABASE_URL, tempDir, uniqueSchema } from "../records/harnesses.ts";

// The report as it was before it was read in pages (commit d4c3000): one query over the whole range,
// kept here as the reference the paged report must equal.
async function oldReport(db: SqlRunner, range: StatsRange): Promise<ReportRow[]> {
  const b = [range.since?.getTime() ?? 0, range.until?.getTime() ?? Number.MAX_SAFE_INTEGER];
  type Text = string | null;
  type Num = number | string;
  type Row = {
    consultation_id: string;
    workspace: string;
    user_id: string;
    channel: string;
    flow_id: string;
    flow_version: Num;
    started_ms: Num;
    completed_ms: Num | null;
    route: Text;
    installer: Text;
    fee: Text;
    answers: Num;
    shared: Num;
    handed_off: Num;
    assignee: Text;
  };
  const rows = await db.all<Row>(
    `WITH c AS (
       SELECT consultation_id,
         MIN(workspace) AS workspace, MIN(user_id) AS user_id, MIN(channel) AS channel,
         MIN(flow_id) AS flow_id, MAX(flow_version) AS flow_version,
         MIN(at_ms) AS started_ms,
         SUM(CASE WHEN kind = 'answered' THEN 1 ELSE 0 END) AS answers,
         MAX(CASE WHEN kind = 'shared' THEN 1 ELSE 0 END) AS shared,
         MAX(CASE WHEN kind = 'handed_off' THEN 1 ELSE 0 END) AS handed_off,
         MAX(CASE WHEN kind = 'taken' THEN assignee END) AS taken_by
       FROM consultation_events
       GROUP BY consultation_id
       HAVING MIN(at_ms) >= $1 AND MIN(at_ms) < $2
     ), done AS (
       SELECT consultation_id, at_ms, route, installer, fee,
         ROW_NUMBER() OVER (PARTITION BY consultation_id ORDER BY at_ms DESC, id COLLATE "C" DESC) AS rn
       FROM consultation_events
       WHERE kind = 'completed'
     ), h AS (
       SELECT consultation_id, MAX(assignee) AS assignee FROM handoffs GROUP BY consultation_id
     )
     SELECT c.consultation_id, c.workspace, c.user_id, c.channel, c.flow_id, c.flow_version,
       c.started_ms, done.at_ms AS completed_ms, done.route, done.installer, done.fee,
       c.answers, c.shared, c.handed_off, COALESCE(h.assignee, c.taken_by) AS assignee
     FROM c
     LEFT JOIN done ON done.consultation_id = c.consultation_id AND done.rn = 1
     LEFT JOIN h ON h.consultation_id = c.consultation_id
     ORDER BY c.started_ms, c.consultation_id COLLATE "C"`,
    b,
  );
  return rows.map(
    (r): ReportRow => ({
      id: r.consultation_id,
      workspace: r.workspace,
      user: r.user_id,
      channel: r.channel,
      flow: r.flow_id,
      version: Number(r.flow_version),
      started_at: new Date(Number(r.started_ms)).toISOString(),
      completed_at: r.completed_ms === null ? "" : new Date(Number(r.completed_ms)).toISOString(),
      route: r.route ?? "",
      installer: r.installer ?? "",
      fee: r.fee ?? "",
      answers: Number(r.answers),
      shared: Number(r.shared) > 0,
      handed_off: Number(r.handed_off) > 0,
      assignee: r.assignee ?? "",
    }),
  );
}

// Deterministic PRNG.
let seed = 12345;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)] as T;
const DAY = 86_400_000;
const T0 = Date.parse("2025-03-01T00:00:00Z");

function tricky(): {
  events: ConsultationEvent[];
  handoffs: { c: string; user: string; assignee?: string }[];
} {
  const events: ConsultationEvent[] = [];
  const handoffs: { c: string; user: string; assignee?: string }[] = [];
  const idChars = "ABCabc-_019";
  for (let i = 0; i < 2500; i++) {
    let cid = "";
    for (let k = 0; k < 8; k++) cid += pick(idChars.split(""));
    cid += String(i);
    // Starts: clustered at midnights, same ms for many, else random over 6 days.
    const r = rnd();
    const start =
      r < 0.2
        ? T0 + Math.floor(rnd() * 6) * DAY
        : r < 0.45
          ? T0 + 2 * DAY - 1
          : T0 + Math.floor(rnd() * 6 * DAY);
    const user = pick(["U1", "U2", "W3"]);
    const base = {
      consultationId: cid,
      workspace: pick(["T1", "T2"]),
      user,
      channel: `D-${user}`,
      flowId: "ssl-migration",
      flowVersion: pick([2, 3]),
    };
    let at = start;
    const n = 1 + Math.floor(rnd() * 6);
    for (let e = 0; e < n; e++) {
      const kind =
        e === 0
          ? pick(["started", "answered"] as const)
          : pick(["answered", "completed", "shared", "handed_off", "taken", "back"] as const);
      events.push({
        ...base,
        id: `${cid}-${pick(["a", "B", "_"])}${e}`,
        kind,
        at: new Date(at),
        ...(kind === "completed"
          ? {
              route: pick(["move", "x", "needs_check"]),
              installer: pick(["us", "self"]),
              fee: pick(["F0", "F1"]),
            }
          : {}),
        ...(kind === "taken" ? { assignee: pick(["S1", "S2", "S3"]) } : {}),
      } as ConsultationEvent);
      at += pick([0, 0, 1, 1000, DAY / 2, DAY]);
    }
    if (rnd() < 0.1)
      handoffs.push({ c: cid, user, ...(rnd() < 0.5 ? { assignee: pick(["S7", "S8"]) } : {}) });
  }
  return { events, handoffs };
}

const data = tricky();
const RANGES: StatsRange[] = [
  { since: new Date(T0) },
  { since: new Date(T0), until: new Date(T0 + 2 * DAY) },
  { since: new Date(T0 + 2 * DAY), until: new Date(T0 + 3 * DAY) },
  { since: new Date(T0 + DAY), until: new Date(T0 + 2 * DAY) },
  { since: new Date(T0 + 5 * DAY) },
];

async function seed_(store: RecordStore) {
  await store.record(data.events);
  let k = 0;
  for (const h of data.handoffs) {
    const id = `H${k++}`;
    await store.createHandoff({
      id,
      consultationId: h.c,
      workspace: "T1",
      channel: "C1",
      user: h.user,
      summary: "s",
      staffChannel: "CS",
    });
    if (h.assignee) await store.takeHandoff(id, h.assignee);
  }
}

const results: Record<string, ReportRow[][]> = {};
const sqliteStats: unknown[] = [];
const tmp = tempDir();
const schemas: string[] = [];
afterAll(async () => {
  tmp.remove();
  if (TEST_DATABASE_URL) await dropSchemas(TEST_DATABASE_URL, schemas);
});

describe("report paging vs the old single query", () => {
  it("SQLite: identical rows for every range", async () => {
    const store = new SqliteStore({ path: join(tmp.dir, "p.db") });
    await seed_(store);
    const runner = (store as unknown as { runner: SqlRunner }).runner;
    results.sqlite = [];
    for (const range of RANGES) {
      const now = await store.report(range);
      expect(now).toEqual(await oldReport(runner, range));
      results.sqlite.push(now);
      sqliteStats.push(await store.stats(range));
    }
    await store.close();
  }, 120_000);

  it.skipIf(!TEST_DATABASE_URL)(
    "PostgreSQL: identical rows, and identical to SQLite",
    async () => {
      const schema = uniqueSchema();
      schemas.push(schema);
      const store = new PostgresStore({ connectionString: TEST_DATABASE_URL as string, schema });
      await store.migrate();
      await seed_(store);
      const runner = (store as unknown as { runner: SqlRunner }).runner;
      for (const [i, range] of RANGES.entries()) {
        const now = await store.report(range);
        expect(now).toEqual(await oldReport(runner, range));
        expect(now).toEqual(results.sqlite?.[i]);
      }
      await store.close();
    },
    120_000,
  );

  // The cluster here sorts text as C.UTF-8 (byte order, like SQLite), so the tests above would pass
  // without the queries' COLLATE "C". A database created with another locale would not: its ties
  // (same millisecond) would come in another order, and the "last" of two outcomes written in one
  // millisecond would be another. Here the id columns sort by ICU's en-US, as such a database would.
  it.skipIf(!TEST_DATABASE_URL)(
    "PostgreSQL whose ids sort by a language's rules (ICU en-US): still identical to SQLite",
    async () => {
      const schema = uniqueSchema();
      schemas.push(schema);
      const store = new PostgresStore({ connectionString: TEST_DATABASE_URL as string, schema });
      await store.migrate();
      const runner = (store as unknown as { runner: SqlRunner }).runner;
      const [icu] = await runner.all<{ n: string }>(
        `SELECT collname AS n FROM pg_collation WHERE collname = 'en-US-x-icu'`,
      );
      if (icu === undefined)
        throw new Error("this PostgreSQL has no ICU collation en-US-x-icu (built without ICU?)");
      for (const column of ["id", "consultation_id"])
        await runner.all(
          `ALTER TABLE consultation_events ALTER COLUMN ${column} TYPE TEXT COLLATE "en-US-x-icu"`,
        );
      // The premise: under this collation the tricky ids really do sort unlike bytes.
      const ids = data.events.slice(0, 400).map((e) => e.id);
      const [{ ordered } = { ordered: [] }] = await runner.all<{ ordered: string[] }>(
        `SELECT array_agg(x ORDER BY x COLLATE "en-US-x-icu") AS ordered FROM unnest($1::text[]) AS x`,
        [ids],
      );
      expect(ordered).not.toEqual([...ids].sort());
      await seed_(store);
      for (const [i, range] of RANGES.entries()) {
        expect(await store.report(range)).toEqual(results.sqlite?.[i]);
        // The statistics count each consultation's last outcome by the same tie-break.
        expect(await store.stats(range)).toEqual(sqliteStats[i]);
      }
      await store.close();
    },
    120_000,
  );
});
