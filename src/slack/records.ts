import type { Logger } from "@slack/bolt";
import type { Config } from "../config.ts";
import {
  type BufferedRecorder,
  type ConsultationEvent,
  createBufferedRecorder,
  openStore,
  type RecordStore,
  scheduleDeliveryPrune,
  scheduleRetention,
} from "../records/index.ts";
import { describeError } from "./log.ts";

/** The records as the Slack app uses them; absent when the app runs without a store. */
export interface AppRecords {
  store: RecordStore;
  recorder: BufferedRecorder;
  /** How long a write-through may hold a result before the events go to the queue instead. */
  writeThroughMs: number;
}

/** How long a result waits for its "completed" record before it goes to the queue instead. */
export const WRITE_THROUGH_MS = 1_500;

export interface RunningRecords {
  records: AppRecords;
  /** Where the records live, safe to log. */
  description: string;
  /** Stops retention, drains the queue (at most timeoutMs) and closes the store. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Opens the store (running pending migrations), starts the buffered writer
 * and the daily retention. Throws when the database cannot be opened: the
 * app then refuses to start with that message.
 */
export async function startRecords(config: Config["records"], logger: Logger): Promise<RunningRecords> {
  const { store, description } = await openStore(
    { DATABASE_URL: config.databaseUrl, SQLITE_PATH: config.sqlitePath },
    logger,
  );
  const recorder = createBufferedRecorder({ store, logger, maxQueue: config.queueSize });
  const stopRetention = scheduleRetention(store, config.retentionDays, logger);
  const stopPrune = scheduleDeliveryPrune(store, logger);
  return {
    records: { store, recorder, writeThroughMs: WRITE_THROUGH_MS },
    description,
    async close(timeoutMs = 5_000) {
      stopRetention();
      stopPrune();
      const stats = await recorder.close(timeoutMs);
      logger.info(`records: ${stats.written} event(s) written, ${stats.dropped} dropped`);
      await store
        .close()
        .catch((error: unknown) => logger.warn("records: close failed", describeError(error)));
    },
  };
}

/** Queues events; never waits and never throws, so a click never depends on the database. */
export function recordLater(records: AppRecords | undefined, events: readonly ConsultationEvent[]): void {
  if (records === undefined) return;
  for (const e of events) records.recorder.record(e);
}

/**
 * Writes events straight to the store before the caller goes on (a result is
 * drawn only once its "completed" record is durable, so a crash right after
 * loses nothing). A slow or unreachable database costs at most writeThroughMs:
 * then the events go to the queue, and the store's idempotency keys make a
 * late success plus the queued copy one record.
 */
export async function recordNow(
  records: AppRecords | undefined,
  events: readonly ConsultationEvent[],
  logger: Logger,
): Promise<void> {
  if (records !== undefined && events.length > 0) await writeThrough(records, events, logger);
}

/**
 * Writes one event through, as recordNow does, and says whether the store
 * already held it ("already": its id is derived from what Slack sent, so the
 * same delivery was handled before). When the write fails it is queued and
 * the answer is "unknown".
 */
export async function writeFirst(
  records: AppRecords,
  event: ConsultationEvent,
  logger: Logger,
): Promise<"new" | "already" | "unknown"> {
  const added = await writeThrough(records, [event], logger);
  return added === undefined ? "unknown" : added === 0 ? "already" : "new";
}

/** How many events the store added, or undefined when it failed or was too slow (then they are queued). */
async function writeThrough(
  records: AppRecords,
  events: readonly ConsultationEvent[],
  logger: Logger,
): Promise<number | undefined> {
  const written = await withTimeout(records.store.record(events), records.writeThroughMs);
  if (written.ok) return written.value;
  logger.warn("records: write-through failed; queued instead", { error: describeError(written.error) });
  recordLater(records, events);
  return undefined;
}

/** Resolves with the value, or with an error after `ms`; the promise itself is left to finish. */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: false; error: unknown }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: new Error(`no answer within ${ms} ms`) }), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether this instance should answer a delivery that leaves no consultation
 * event (RecordStore.claimDelivery). Without records, or when the database
 * fails or is too slow, it says true: a second answer is better than none.
 */
export async function claimDelivery(
  records: AppRecords | undefined,
  claim: { key: string; user: string; windowMs: number },
  logger: Logger,
): Promise<boolean> {
  if (records === undefined) return true;
  const claimed = await withTimeout(
    records.store.claimDelivery(claim.key, claim.user, claim.windowMs),
    records.writeThroughMs,
  );
  if (claimed.ok) return claimed.value;
  logger.warn("records: delivery claim failed; answering anyway", { error: describeError(claimed.error) });
  return true;
}
