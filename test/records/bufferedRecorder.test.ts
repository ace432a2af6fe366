import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createBufferedRecorder } from "../../src/records/bufferedRecorder.ts";
import { SqliteStore } from "../../src/records/sqliteStore.ts";
import { syntheticEvent } from "./fixture.ts";
import { tempDir } from "./harnesses.ts";
import { memoryLogger, waitFor } from "./waitFor.ts";

/**
 * A real failure: another connection holds SQLite's write lock, so every write
 * fails with "database is locked" until it is released.
 */
function lockedSqlite() {
  const { dir, remove } = tempDir();
  const path = join(dir, "consultations.db");
  const store = new SqliteStore({ path, busyTimeoutMs: 20 });
  const locker = new Database(path);
  locker.exec("BEGIN EXCLUSIVE");
  return {
    store,
    unlock: () => locker.exec("COMMIT"),
    async close() {
      if (locker.inTransaction) locker.exec("ROLLBACK");
      locker.close();
      await store.close();
      remove();
    },
  };
}

describe("buffered recorder (SQLite)", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it("writes events in batches without the caller waiting", async () => {
    const { dir, remove } = tempDir();
    const store = new SqliteStore({ path: join(dir, "c.db") });
    cleanups.push(async () => {
      await store.close();
      remove();
    });
    const recorder = createBufferedRecorder({ store, logger: memoryLogger(), maxBatch: 50 });
    for (let i = 0; i < 500; i++) recorder.record(syntheticEvent(i));
    expect(recorder.stats().queued).toBe(500);
    await waitFor("queue drained", () => recorder.stats().queued === 0);
    expect(await store.countEvents()).toBe(500);
    expect(await recorder.close()).toEqual({ queued: 0, written: 500, dropped: 0, failures: 0 });
  });

  it("keeps events while the database is unavailable and writes them once when it is back", async () => {
    const db = lockedSqlite();
    cleanups.push(db.close);
    const logger = memoryLogger();
    const recorder = createBufferedRecorder({ store: db.store, logger, retryMs: 10, maxRetryMs: 40 });
    for (let i = 0; i < 100; i++) expect(() => recorder.record(syntheticEvent(i))).not.toThrow();
    // A redelivered click while it is down.
    recorder.record(syntheticEvent(7));
    await waitFor("three failed attempts", () => recorder.stats().failures >= 3);
    expect(recorder.stats()).toMatchObject({ queued: 101, written: 0, dropped: 0 });
    expect(await recorder.flush()).toBe(false);
    expect(logger.lines.some((l) => l.level === "warn" && /database is locked/.test(l.msg))).toBe(true);

    db.unlock();
    await waitFor("queue drained", () => recorder.stats().queued === 0);
    expect(await db.store.countEvents()).toBe(100);
    expect(recorder.stats()).toMatchObject({ queued: 0, written: 101, dropped: 0 });
    expect(logger.lines.some((l) => l.level === "info" && /reachable again/.test(l.msg))).toBe(true);
    await recorder.close();
  });

  it("drops the oldest events past the bound, counts and logs them", async () => {
    const db = lockedSqlite();
    cleanups.push(db.close);
    const logger = memoryLogger();
    const recorder = createBufferedRecorder({
      store: db.store,
      logger,
      maxQueue: 10,
      maxBatch: 4,
      retryMs: 10,
      maxRetryMs: 20,
    });
    for (let i = 0; i < 25; i++) recorder.record(syntheticEvent(i));
    await waitFor("a failed attempt", () => recorder.stats().failures >= 1);
    expect(recorder.stats()).toMatchObject({ queued: 10, dropped: 15, written: 0 });
    expect(logger.lines.some((l) => l.level === "error" && /dropped \d+ event/.test(l.msg))).toBe(true);

    db.unlock();
    expect(await recorder.close(5000)).toEqual({
      queued: 0,
      written: 10,
      dropped: 15,
      failures: expect.any(Number),
    });
    const stored = await db.store.report({ since: new Date(0) });
    // The ten newest survive: events 15..24 are consultations 3 and 4.
    expect(stored.map((r) => r.id)).toEqual(["syn-c-3", "syn-c-4"]);
    expect(await db.store.countEvents()).toBe(10);
  });

  it("closes within its timeout while the database stays down, counting what is lost", async () => {
    const db = lockedSqlite();
    cleanups.push(db.close);
    const logger = memoryLogger();
    const recorder = createBufferedRecorder({ store: db.store, logger, retryMs: 10 });
    for (let i = 0; i < 5; i++) recorder.record(syntheticEvent(i));
    const started = Date.now();
    const stats = await recorder.close(300);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(stats).toMatchObject({ queued: 0, written: 0, dropped: 5 });
    recorder.record(syntheticEvent(99));
    expect(recorder.stats().dropped).toBe(6);
    expect(logger.lines.some((l) => l.level === "error" && /not written/.test(l.msg))).toBe(true);
  });

  it("never throws, even when the store throws synchronously", async () => {
    const logger = memoryLogger();
    const recorder = createBufferedRecorder({
      store: {
        record: () => {
          throw new Error("boom");
        },
      },
      logger,
      retryMs: 5,
    });
    expect(() => recorder.record(syntheticEvent(1))).not.toThrow();
    await waitFor("a failed attempt", () => recorder.stats().failures >= 1);
    expect(recorder.stats().queued).toBe(1);
    await recorder.close(50);
  });
});
