import type { Logger, RecordStore } from "./types.ts";

const DAY_MS = 86_400_000;

export class RetentionConfigError extends Error {}

/** RETENTION_DAYS: unset or empty → keep everything (null); else a whole number of days ≥ 1. */
export function retentionDaysFromEnv(
  env: { RETENTION_DAYS?: string | undefined } = process.env,
): number | null {
  const raw = env.RETENTION_DAYS?.trim();
  if (raw === undefined || raw === "") return null;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new RetentionConfigError(`RETENTION_DAYS must be a whole number of days ≥ 1, got "${raw}"`);
  }
  return Number(raw);
}

/** Removes records older than the retention period; logs and returns how many. Never throws. */
export async function applyRetention(store: RecordStore, days: number, logger: Logger): Promise<number> {
  try {
    const removed = await store.purgeOlderThan(days);
    if (removed > 0) logger.info(`records: retention removed ${removed} record(s) older than ${days} day(s)`);
    return removed;
  } catch (err) {
    logger.warn(`records: retention failed, will retry: ${err instanceof Error ? err.message : String(err)}`);
    return 0;
  }
}

/**
 * Applies retention now and then daily; returns a function that stops it.
 * With several instances each purges: the deletes are idempotent, so that is harmless.
 */
export function scheduleRetention(
  store: RecordStore,
  days: number | null,
  logger: Logger,
  intervalMs = DAY_MS,
): () => void {
  if (days === null) return () => {};
  return nowAndEvery(intervalMs, () => void applyRetention(store, days, logger));
}

/** Runs `run` now and then every `intervalMs` without keeping the process alive; returns a stop function. */
function nowAndEvery(intervalMs: number, run: () => void): () => void {
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

const HOUR_MS = 3_600_000;

/**
 * Removes delivery claims older than a day, now and then hourly, whatever
 * RETENTION_DAYS says: they only serve to answer a redelivered event once,
 * and they name the user. Returns a function that stops it. Never throws.
 */
export function scheduleDeliveryPrune(store: RecordStore, logger: Logger, intervalMs = HOUR_MS): () => void {
  return nowAndEvery(
    intervalMs,
    () =>
      void store.pruneDeliveries().catch((err: unknown) => {
        logger.warn(
          `records: removing old delivery claims failed, will retry: ${err instanceof Error ? err.message : String(err)}`,
        );
      }),
  );
}
