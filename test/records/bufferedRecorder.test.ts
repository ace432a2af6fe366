import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createBufferedRecorder } from "../../src/records/bufferedRecorder.ts";
import { SqliteStore } from "../../src/records/sqliteStore.ts";
import type { ConsultationEvent } from "../../src/records/types.ts";
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

/**
 * A real SQLite store whose writes can be held until release(), to look at the
 * recorder while a write is in progress. Records each batch size and how many
 * writes ran at once.
 */
function gatedSqlite(open = false) {
  const { dir, remove } = tempDir();
  const inner = new SqliteStore({ path: join(dir, "g.db") });
  const batches: number[] = [];
  const waiting: (() => void)[] = [];
  let active = 0;
  let maxActive = 0;
  let isOpen = open;
  return {
    inner,
    batches,
    maxActive: () => maxActive,
    store: {
      async record(events: readonly ConsultationEvent[]) {
        batches.push(events.length);
        active++;
        maxActive = Math.max(maxActive, active);
        try {
          if (!isOpen) await new Promise<void>((r) => waiting.push(r));
          return await inner.record(events);
        } finally {
          active--;
        }
      },
    },
    release() {
      isOpen = true;
      for (const r of waiting.splice(0)) r();
    },
    async close() {
      await inner.close();
      remove();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const warnings = (lines: { level: string; msg: string }[]) =>
  lines.filter((l) => l.level === "warn" && /write failed/.test(l.msg)).length;

describe("buffered recorder (SQLite)", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  /** A recorder over a store whose writes wait for release(); both cleaned up after the test. */
  const gatedRecorder = (
    options: Omit<Parameters<typeof createBufferedRecorder>[0], "store" | "logger"> & {
      logger?: Parameters<typeof createBufferedRecorder>[0]["logger"];
    } = {},
  ) => {
    const db = gatedSqlite();
    cleanups.push(db.close);
    const recorder = createBufferedRecorder({ store: db.store, logger: memoryLogger(), ...options });
    return { db, recorder };
  };

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
    // A run of drops is logged once, not once per event.
    expect(logger.lines.filter((l) => /dropped \d+ event/.test(l.msg))).toHaveLength(1);

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

  it("writes batch after batch at once, 500 at most by default, and logs nothing when all goes well", async () => {
    const db = gatedSqlite(true);
    cleanups.push(db.close);
    const logger = memoryLogger();
    // A long retry delay: only after a failure may the recorder wait for it.
    const recorder = createBufferedRecorder({ store: db.store, logger, retryMs: 60_000, maxRetryMs: 60_000 });
    for (let i = 0; i < 1200; i++) recorder.record(syntheticEvent(i));
    await waitFor("queue drained", () => recorder.stats().queued === 0);
    expect(db.batches).toEqual([500, 500, 200]);
    expect(await recorder.close()).toEqual({ queued: 0, written: 1200, dropped: 0, failures: 0 });
    expect(logger.lines).toEqual([]);
  });

  it("counts the batch being written as queued, and keeps queue plus batch within maxQueue", async () => {
    const { db, recorder } = gatedRecorder({ maxQueue: 5, maxBatch: 3 });
    for (let i = 0; i < 3; i++) recorder.record(syntheticEvent(i));
    await waitFor("a write in progress", () => db.batches.length === 1);
    expect(recorder.stats()).toMatchObject({ queued: 3, dropped: 0 });
    // 3 being written + 4 queued: the two oldest queued go, never the batch being written.
    for (let i = 3; i < 7; i++) recorder.record(syntheticEvent(i));
    expect(recorder.stats()).toMatchObject({ queued: 5, dropped: 2 });
    db.release();
    await waitFor("queue drained", () => recorder.stats().queued === 0);
    expect(await db.inner.countEvents()).toBe(5);
    expect(await recorder.close()).toEqual({ queued: 0, written: 5, dropped: 2, failures: 0 });
  });

  it("flush waits for the write in progress before saying the queue is empty", async () => {
    const { db, recorder } = gatedRecorder();
    recorder.record(syntheticEvent(1));
    await waitFor("a write in progress", () => db.batches.length === 1);
    let settled = false;
    const flushed = recorder.flush().then((empty) => {
      settled = true;
      return empty;
    });
    await sleep(30);
    expect(settled).toBe(false);
    db.release();
    expect(await flushed).toBe(true);
    expect(recorder.stats()).toMatchObject({ queued: 0, written: 1 });
    await recorder.close();
  });

  it("runs one write at a time, even when flushes overlap", async () => {
    const { db, recorder } = gatedRecorder({ maxBatch: 1 });
    for (let i = 0; i < 4; i++) recorder.record(syntheticEvent(i));
    await waitFor("a write in progress", () => db.batches.length === 1);
    const both = Promise.all([recorder.flush(), recorder.flush()]);
    db.release();
    await both;
    await waitFor("queue drained", () => recorder.stats().queued === 0);
    expect(db.maxActive()).toBe(1);
    expect(await db.inner.countEvents()).toBe(4);
    expect(recorder.stats()).toMatchObject({ written: 4, dropped: 0 });
    await recorder.close();
  });

  it("flush writes what is queued at once, without waiting for the retry delay", async () => {
    const db = lockedSqlite();
    cleanups.push(db.close);
    const recorder = createBufferedRecorder({ store: db.store, logger: memoryLogger(), retryMs: 60_000 });
    for (let i = 0; i < 3; i++) recorder.record(syntheticEvent(i));
    await waitFor("a failed attempt", () => recorder.stats().failures >= 1);
    db.unlock();
    expect(await recorder.flush()).toBe(true);
    expect(recorder.stats()).toMatchObject({ queued: 0, written: 3, failures: 1 });
    expect(await db.store.countEvents()).toBe(3);
    await recorder.close();
  });

  it("waits before retrying a failed write (by default half a second or more)", async () => {
    const db = lockedSqlite();
    cleanups.push(db.close);
    const recorder = createBufferedRecorder({ store: db.store, logger: memoryLogger() });
    recorder.record(syntheticEvent(1));
    await waitFor("a failed attempt", () => recorder.stats().failures >= 1);
    // Well under the shortest first delay (375 ms with jitter): no retry yet.
    await sleep(100);
    expect(recorder.stats().failures).toBe(1);
    await recorder.close(0);
  });

  it("doubles the delay between retries", async () => {
    const db = lockedSqlite();
    cleanups.push(db.close);
    const starts: number[] = [];
    const store = {
      record(events: readonly ConsultationEvent[]) {
        starts.push(Date.now());
        return db.store.record(events);
      },
    };
    const recorder = createBufferedRecorder({
      store,
      logger: memoryLogger(),
      retryMs: 300,
      maxRetryMs: 10_000,
    });
    recorder.record(syntheticEvent(1));
    await waitFor("three failed attempts", () => recorder.stats().failures >= 3);
    await recorder.close(0);
    // The second delay is 600 ms ± 25 %; only a lower bound, a slow machine only adds.
    expect((starts[2] ?? 0) - (starts[1] ?? 0)).toBeGreaterThanOrEqual(450);
  });

  it("never waits longer than maxRetryMs between retries", async () => {
    const db = lockedSqlite();
    cleanups.push(db.close);
    const recorder = createBufferedRecorder({
      store: db.store,
      logger: memoryLogger(),
      retryMs: 20,
      maxRetryMs: 20,
    });
    recorder.record(syntheticEvent(1));
    // Uncapped doubling would need about 20 s for these twelve attempts.
    await waitFor("twelve failed attempts", () => recorder.stats().failures >= 12);
    await recorder.close(0);
  });

  it("logs the first failure of an outage, then every twentieth", async () => {
    const db = lockedSqlite();
    cleanups.push(db.close);
    const logger = memoryLogger();
    const recorder = createBufferedRecorder({ store: db.store, logger, retryMs: 1, maxRetryMs: 1 });
    recorder.record(syntheticEvent(1));
    await waitFor("three failed attempts", () => recorder.stats().failures >= 3);
    expect(warnings(logger.lines)).toBe(1);
    await waitFor("twenty-one failed attempts", () => recorder.stats().failures >= 21);
    await recorder.close(0);
    await sleep(20);
    const failures = recorder.stats().failures;
    expect(warnings(logger.lines)).toBe(1 + Math.floor(failures / 20));
  });

  it("close waits for the write in progress and writes the rest at once", async () => {
    const { db, recorder } = gatedRecorder({ maxBatch: 1, retryMs: 60_000 });
    for (let i = 0; i < 3; i++) recorder.record(syntheticEvent(i));
    await waitFor("a write in progress", () => db.batches.length === 1);
    setTimeout(() => db.release(), 50);
    expect(await recorder.close(5000)).toEqual({ queued: 0, written: 3, dropped: 0, failures: 0 });
    expect(await db.inner.countEvents()).toBe(3);
  });

  it("close waits for the last batch still being written instead of counting it lost", async () => {
    const { db, recorder } = gatedRecorder();
    recorder.record(syntheticEvent(1));
    await waitFor("a write in progress", () => db.batches.length === 1);
    // Nothing else queued: close must still wait for this write.
    setTimeout(() => db.release(), 50);
    expect(await recorder.close(5000)).toEqual({ queued: 0, written: 1, dropped: 0, failures: 0 });
  });

  it("close retries after a backoff and writes everything once the database is back", async () => {
    const db = lockedSqlite();
    cleanups.push(db.close);
    const recorder = createBufferedRecorder({
      store: db.store,
      logger: memoryLogger(),
      retryMs: 100,
      maxRetryMs: 100,
    });
    for (let i = 0; i < 5; i++) recorder.record(syntheticEvent(i));
    await waitFor("a failed attempt", () => recorder.stats().failures >= 1);
    const closing = recorder.close(5000);
    await waitFor("a failed attempt during close", () => recorder.stats().failures >= 2);
    db.unlock();
    expect(await closing).toMatchObject({ queued: 0, written: 5, dropped: 0 });
    expect(await db.store.countEvents()).toBe(5);
  });

  it("close waits between retries while the database stays down", async () => {
    const db = lockedSqlite();
    cleanups.push(db.close);
    const recorder = createBufferedRecorder({
      store: db.store,
      logger: memoryLogger(),
      retryMs: 200,
      maxRetryMs: 200,
    });
    for (let i = 0; i < 5; i++) recorder.record(syntheticEvent(i));
    const stats = await recorder.close(600);
    expect(stats).toMatchObject({ queued: 0, written: 0, dropped: 5 });
    // With a delay of at least 150 ms, 600 ms hold about four attempts; without one, dozens.
    expect(stats.failures).toBeGreaterThanOrEqual(1);
    expect(stats.failures).toBeLessThanOrEqual(8);
  });

  it("close gives up on a hung write at its deadline and counts it lost, even if it fails later", async () => {
    let fail: (err: Error) => void = () => {};
    let attempts = 0;
    const recorder = createBufferedRecorder({
      store: {
        record: () => {
          attempts++;
          return new Promise<number>((_, reject) => {
            fail = reject;
          });
        },
      },
      logger: memoryLogger(),
    });
    recorder.record(syntheticEvent(1));
    await waitFor("a write in progress", () => attempts === 1);
    const stats = await recorder.close(100);
    // Counted once: lost, and no longer queued.
    expect(stats).toMatchObject({ queued: 0, written: 0, dropped: 1 });
    expect(recorder.stats()).toMatchObject({ queued: 0, dropped: 1 });
    fail(new Error("connection reset"));
    await sleep(20);
    // Already counted as dropped: it must not come back into the queue.
    expect(recorder.stats()).toMatchObject({ queued: 0, written: 0, dropped: 1, failures: 1 });
    expect(attempts).toBe(1);
  });

  it("a hung write close() gave up on that succeeds later is counted as written, not lost", async () => {
    let succeed: (n: number) => void = () => {};
    let attempts = 0;
    const logger = memoryLogger();
    const recorder = createBufferedRecorder({
      store: {
        record: () => {
          attempts++;
          return new Promise<number>((resolve) => {
            succeed = resolve;
          });
        },
      },
      logger,
    });
    recorder.record(syntheticEvent(1));
    recorder.record(syntheticEvent(2));
    await waitFor("a write in progress", () => attempts === 1);
    expect(await recorder.close(50)).toMatchObject({ queued: 0, written: 0, dropped: 2 });
    // Closing again does not count the same batch a second time.
    expect(await recorder.close(50)).toMatchObject({ queued: 0, written: 0, dropped: 2 });
    succeed(2);
    await waitFor("the late write counted", () => recorder.stats().written === 2);
    expect(recorder.stats()).toMatchObject({ queued: 0, written: 2, dropped: 0, failures: 0 });
    expect(logger.lines.some((l) => l.level === "info" && l.msg.includes("written after all"))).toBe(true);
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
