import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/records/openStore.ts";
import { createLogger } from "../../src/slack/log.ts";
import { startRecords, WRITE_THROUGH_MS } from "../../src/slack/records.ts";
import { EVENTS } from "../records/fixture.ts";
import { dropSchemas, TEST_DATABASE_URL, tempDir, uniqueSchema } from "../records/harnesses.ts";

/** The records `npm start` opens (main.ts), driven in process: a real SQLite file or PostgreSQL schema. */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function logger() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: "info", secrets: [], write: (line) => lines.push(line) }) };
}

/** Starts the records, queues the fixture's events, closes; returns the log and where they went. */
async function queueAndClose(config: Parameters<typeof startRecords>[0]) {
  const { lines, logger: log } = logger();
  const running = await startRecords(config, log);
  expect(running.records.writeThroughMs).toBe(WRITE_THROUGH_MS);
  for (const e of EVENTS) running.records.recorder.record(e);
  // close drains the queue before it closes the store: nothing queued is lost at shutdown.
  await running.close();
  return { running, log: lines.join("\n") };
}

describe("startRecords (the records of npm start)", () => {
  it("SQLite at SQLITE_PATH: the queued events are written by close, which says how many, and the store is closed", async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const path = join(tmp.dir, "records.sqlite");
    const { running, log } = await queueAndClose({ sqlitePath: path, retentionDays: 30, queueSize: 100 });
    expect(running.description).toBe(`SQLite ${path}`);
    expect(log).toContain(`records: ${EVENTS.length} event(s) written, 0 dropped`);
    await expect(running.records.store.countEvents()).rejects.toThrow();
    const { store } = await openStore({ SQLITE_PATH: path }, logger().logger);
    cleanups.push(() => store.close());
    expect(await store.countEvents()).toBe(EVENTS.length);
  });

  it.skipIf(!TEST_DATABASE_URL)(
    "PostgreSQL at DATABASE_URL (its password not in the description)",
    async () => {
      const url = TEST_DATABASE_URL as string;
      const schema = uniqueSchema();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      cleanups.push(() => dropSchemas(url, [schema]));
      const u = new URL(url);
      u.searchParams.set("options", `-c search_path=${schema}`);
      const databaseUrl = u.toString();
      const { running, log } = await queueAndClose({
        databaseUrl,
        sqlitePath: ":memory:",
        retentionDays: null,
        queueSize: 100,
      });
      expect(running.description).toMatch(/^PostgreSQL /);
      expect(running.description).not.toContain(`:${decodeURIComponent(u.password)}@`);
      expect(log).toContain(`records: ${EVENTS.length} event(s) written, 0 dropped`);
      const { store } = await openStore({ DATABASE_URL: databaseUrl }, logger().logger);
      cleanups.push(() => store.close());
      expect(await store.countEvents()).toBe(EVENTS.length);
    },
  );
});
