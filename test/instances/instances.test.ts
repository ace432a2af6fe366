import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSlack, startFakeSlack } from "../../src/slack/fakeSlack/index.ts";
import { decodeState, setButtonKey } from "../../src/slack/state/codec.ts";
import { dropSchemas, TEST_DATABASE_URL, uniqueSchema } from "../records/harnesses.ts";
import { startProxy, viaProxy } from "../records/tcpProxy.ts";
import { BOT_TOKEN, readResult, SIGNING_SECRET } from "../support/harness.ts";
import { findButton } from "../support/payloads.ts";
import {
  type AppProcess,
  click,
  clickOn,
  command,
  PATHS,
  questionOf,
  snapshot,
  startApp,
  waitFor,
} from "./appProcess.ts";

// The apps run as processes with SIGNING_SECRET; this reads the values they signed.
setButtonKey(SIGNING_SECRET);

if (!TEST_DATABASE_URL)
  console.warn(
    "several-instances tests skipped: they need PostgreSQL. Run `source scripts/ci-postgres.sh` (or set TEST_DATABASE_URL=postgres://…) and run again.",
  );

/** The app's DATABASE_URL for one schema (the tables go there through search_path). */
function inSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("options", `-c search_path=${schema}`);
  return u.toString();
}

async function query<T>(url: string, schema: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET search_path = ${schema}`);
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const consultationIdOf = (m: { blocks: unknown[] }) =>
  decodeState(findButton(m.blocks, "nav:restart")?.button.value)?.id;

describe.skipIf(!TEST_DATABASE_URL)("several instances sharing one PostgreSQL", () => {
  const url = TEST_DATABASE_URL as string;
  const schemas: string[] = [];
  let fake: FakeSlack;

  beforeAll(async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN });
  });
  afterAll(async () => {
    await fake?.close();
    await dropSchemas(url, schemas);
  });

  async function newSchema(): Promise<string> {
    const schema = uniqueSchema();
    schemas.push(schema);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.end();
    return schema;
  }

  it("two app processes serve 30 consultations click by click, alternately; every event is recorded exactly once", async () => {
    const schema = await newSchema();
    const env = { DATABASE_URL: inSchema(url, schema) };
    // Started together: the migrations run once, under the advisory lock.
    const apps = await Promise.all([startApp(fake, env), startApp(fake, env)]);
    try {
      const expected = new Map<string, number>();
      const walk = async (i: number) => {
        const answers = PATHS[i % PATHS.length] as Record<string, string>;
        const user = `U0CUST${i}`;
        let turn = i;
        const next = () => apps[turn++ % 2] as AppProcess;
        let m = snapshot(await command(fake, next(), { user, channel: "C0GENERAL" }));
        let events = 1; // started
        for (let q = questionOf(m); q !== undefined; q = questionOf(m)) {
          const actionId = `answer:${q}:${answers[q]}`;
          if (i % 3 === 0) {
            // A double click: the same button reaches both instances at once.
            m = await clickOn(fake, apps, m, actionId, user);
          } else m = await click(fake, next(), m, actionId, user);
          events += 1; // answered
        }
        expect(readResult(m.blocks)).toBeDefined();
        events += 1; // completed
        const id = consultationIdOf(m);
        expect(id).toBeDefined();
        expected.set(id as string, events);
      };
      await Promise.all(Array.from({ length: 30 }, (_, i) => walk(i)));
      expect(expected.size).toBe(30);

      // The queues drain on SIGTERM; the "completed" records were written before the results were drawn.
      const stopped = await Promise.all(apps.map((a) => a.stop()));
      expect(stopped.map((s) => s.code)).toEqual([0, 0]);
      const rows = await query<{
        consultation_id: string;
        n: string;
        completed: string;
        distinct_ids: string;
      }>(
        url,
        schema,
        `SELECT consultation_id, COUNT(*) AS n, COUNT(DISTINCT id) AS distinct_ids,
                SUM(CASE WHEN kind = 'completed' THEN 1 ELSE 0 END) AS completed
         FROM consultation_events GROUP BY consultation_id`,
      );
      const counted = new Map(rows.map((r) => [r.consultation_id, Number(r.n)]));
      expect(counted).toEqual(expected);
      for (const r of rows) expect(Number(r.completed)).toBe(1);
      const applied = await query<{ version: number }>(url, schema, "SELECT version FROM schema_migrations");
      expect(applied.map((r) => Number(r.version)).sort()).toEqual([1, 2, 3, 4]);
    } finally {
      for (const a of apps) if (a.child.exitCode === null) a.child.kill("SIGKILL");
    }
  }, 120_000);

  it("database unreachable: consultations keep working; the queued events are written when it is back", async () => {
    const schema = await newSchema();
    const target = new URL(url);
    const proxy = await startProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const app = await startApp(fake, { DATABASE_URL: inSchema(viaProxy(url, proxy.port), schema) });
    try {
      await proxy.down();
      const ids: string[] = [];
      await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const answers = PATHS[i % PATHS.length] as Record<string, string>;
          const user = `U0DOWN${i}`;
          let m = snapshot(await command(fake, app, { user, channel: "C0GENERAL" }));
          for (let q = questionOf(m); q !== undefined; q = questionOf(m))
            m = await click(fake, app, m, `answer:${q}:${answers[q]}`, user);
          expect(readResult(m.blocks)).toBeDefined();
          ids.push(consultationIdOf(m) as string);
        }),
      );
      expect(app.child.exitCode).toBeNull();
      await proxy.up();
      const rows = await waitFor(
        "the queued events to be written",
        async () => {
          const r = await query<{ n: string; c: string }>(
            url,
            schema,
            "SELECT COUNT(DISTINCT consultation_id) AS c, COUNT(*) AS n FROM consultation_events WHERE kind = 'completed'",
          );
          return Number(r[0]?.c) === 6 ? r : undefined;
        },
        45_000,
      );
      expect(Number(rows[0]?.n)).toBe(6);
      expect(app.output()).toMatch(/records: write failed|write-through failed/);
      expect((await app.stop()).code).toBe(0);
    } finally {
      if (app.child.exitCode === null) app.child.kill("SIGKILL");
      await proxy.close();
    }
  }, 90_000);
});
