import { createBufferedRecorder } from "../../src/records/bufferedRecorder.ts";
import { SqliteStore } from "../../src/records/sqliteStore.ts";
import type { ConsultationEvent, RecordStore } from "../../src/records/types.ts";
import type { AppRecords } from "../../src/slack/records.ts";

export interface TestRecords extends AppRecords {
  /** Every event the store accepted, once per id, in arrival order. */
  events(): ConsultationEvent[];
  /** Waits until the queue is written. */
  settle(): Promise<void>;
  /** While true, every store call fails as if the database were down. */
  down: boolean;
  close(): Promise<void>;
}

/** A real SQLite store in memory, seen through a window that keeps the events and can fail. */
export function testRecords(): TestRecords {
  const sqlite = new SqliteStore({ path: ":memory:" });
  const seen = new Map<string, ConsultationEvent>();
  const state = { down: false };
  const guard = <T>(call: () => Promise<T>): Promise<T> =>
    state.down ? Promise.reject(new Error("database unreachable (test)")) : call();
  const store: RecordStore = new Proxy(sqlite, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== "function") return value;
      if (key === "record")
        return (events: readonly ConsultationEvent[]) =>
          guard(async () => {
            const added = await target.record(events);
            for (const e of events) if (!seen.has(e.id)) seen.set(e.id, e);
            return added;
          });
      return (...args: unknown[]) =>
        guard(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
  const recorder = createBufferedRecorder({ store, logger: console, retryMs: 20, maxRetryMs: 50 });
  return {
    store,
    recorder,
    writeThroughMs: 500,
    events: () => [...seen.values()],
    async settle() {
      for (let i = 0; i < 100 && recorder.stats().queued > 0; i++) {
        await recorder.flush();
        if (recorder.stats().queued > 0) await new Promise((r) => setTimeout(r, 20));
      }
    },
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    async close() {
      await recorder.close(1000);
      await sqlite.close();
    },
  };
}

/**
 * The test records with a fault in one store method: for its n-th call (from 0) `fault` gives
 * the promise to answer with instead, or undefined to let the call through. One query refused
 * or left unanswered while the rest of the database answers.
 */
export function faulty(
  method: keyof RecordStore,
  fault: (n: number, args: unknown[]) => Promise<unknown> | undefined,
) {
  return (r: TestRecords): AppRecords => {
    let n = 0;
    const store = new Proxy(r.store, {
      get(target, key) {
        const value = Reflect.get(target, key) as unknown;
        if (key !== method || typeof value !== "function") return value;
        return (...args: unknown[]) =>
          fault(n++, args) ?? (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      },
    });
    return { ...r, store };
  };
}

/** faulty(), failing while `fails(n)` says so. */
export const failing = (method: keyof RecordStore, fails: (n: number) => boolean) =>
  faulty(method, (n) => (fails(n) ? Promise.reject(new Error(`${method} failed (test)`)) : undefined));
