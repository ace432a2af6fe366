import type { ConsultationEvent, Logger, RecordStore } from "./types.ts";

export type RecorderStats = {
  /** Waiting to be written, including a batch being written. */
  queued: number;
  /** Accepted by the store (duplicates included: the store ignores them). */
  written: number;
  /**
   * Lost because the queue was full, or still queued when close() gave up
   * (a write it gave up on that finishes later moves to written).
   */
  dropped: number;
  /** Failed write attempts. */
  failures: number;
};

export type BufferedRecorderOptions = {
  store: Pick<RecordStore, "record">;
  logger: Logger;
  /** Most events held while the database is unreachable. */
  maxQueue?: number;
  maxBatch?: number;
  /** First retry delay after a failure; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
};

export interface BufferedRecorder {
  /** Never throws and never waits: the click must not depend on the database. */
  record(event: ConsultationEvent): void;
  /** Writes what is queued now, ignoring backoff; true when the queue is empty afterwards. */
  flush(): Promise<boolean>;
  /** Stops accepting events and drains for at most timeoutMs; what remains counts as dropped. */
  close(timeoutMs?: number): Promise<RecorderStats>;
  stats(): RecorderStats;
}

/** How often, at most, a run of drops is logged, so a long outage does not flood the log. */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * The app's side of the records: events queue in memory and are written in
 * batches by one writer at a time. While the database is down they wait and
 * the writer retries with backoff; past maxQueue the oldest go first.
 * Redelivered events are harmless: the store ignores ids it already has.
 */
export function createBufferedRecorder(options: BufferedRecorderOptions): BufferedRecorder {
  const { store, logger } = options;
  const maxQueue = Math.max(1, options.maxQueue ?? 10_000);
  const maxBatch = Math.max(1, Math.min(options.maxBatch ?? 500, maxQueue));
  const retryMs = options.retryMs ?? 500;
  const maxRetryMs = options.maxRetryMs ?? 30_000;

  let queue: ConsultationEvent[] = [];
  /** The batch being written; kept apart so drops never remove it mid-write. */
  let inFlight: ConsultationEvent[] = [];
  let writing: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let failuresInRow = 0;
  let closed = false;
  /** close() gave up on a write still running: its events are already counted as dropped. */
  let abandoned = false;
  const counts = { written: 0, dropped: 0, failures: 0 };
  let dropsSinceLog = 0;
  let lastDropLog = 0;

  /** Not yet written nor counted as dropped: a write close() gave up on is counted as dropped already. */
  const unwritten = () => queue.length + (abandoned ? 0 : inFlight.length);
  const stats = (): RecorderStats => ({ queued: unwritten(), ...counts });

  function drop(n: number, why: string) {
    if (n <= 0) return;
    counts.dropped += n;
    dropsSinceLog += n;
    const now = Date.now();
    if (now - lastDropLog >= DROP_LOG_INTERVAL_MS) {
      logger.error(`records: dropped ${dropsSinceLog} event(s) (${why}); ${counts.dropped} dropped in total`);
      dropsSinceLog = 0;
      lastDropLog = now;
    }
  }

  /** Keeps queue + inFlight within maxQueue by dropping the oldest queued events. */
  function enforceBound() {
    const excess = queue.length + inFlight.length - maxQueue;
    if (excess > 0) {
      queue.splice(0, excess);
      drop(excess, `queue full at ${maxQueue}`);
    }
  }

  function schedule(delayMs: number) {
    if (timer !== null || writing !== null || queue.length === 0) return;
    timer = setTimeout(() => {
      timer = null;
      void writeOnce();
    }, delayMs);
    // A pending retry must not keep a finished process alive; close() drains explicitly.
    timer.unref();
  }

  /** One batch; on success carries on at once, on failure retries after a backoff. */
  function writeOnce(): Promise<void> {
    if (writing !== null) return writing;
    if (queue.length === 0) return Promise.resolve();
    inFlight = queue.splice(0, maxBatch);
    writing = (async () => {
      let ok = false;
      try {
        await store.record(inFlight);
        ok = true;
        counts.written += inFlight.length;
        if (abandoned) {
          // close() had counted these as lost; they were written after all.
          counts.dropped -= inFlight.length;
          logger.info(`records: ${inFlight.length} event(s) given up at close were written after all`);
        }
        if (failuresInRow > 0) {
          logger.info(
            `records: database reachable again; ${stats().queued} event(s) queued, ${counts.dropped} dropped so far`,
          );
        }
        failuresInRow = 0;
      } catch (err) {
        counts.failures++;
        failuresInRow++;
        // Log the first failure of an outage, then rarely: the message never holds the URL.
        if (failuresInRow === 1 || failuresInRow % 20 === 0) {
          logger.warn(
            `records: write failed (${describe(err)}); ${queue.length + inFlight.length} event(s) queued, retrying`,
          );
        }
        if (!abandoned) queue = inFlight.concat(queue);
      } finally {
        inFlight = [];
        writing = null;
      }
      enforceBound();
      if (closed) return;
      schedule(ok ? 0 : backoff(failuresInRow));
    })();
    return writing;
  }

  function backoff(n: number): number {
    const base = Math.min(maxRetryMs, retryMs * 2 ** Math.min(n - 1, 20));
    // Jitter spreads the retries of several instances after a shared outage.
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  function cancelTimer() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  return {
    record(event) {
      try {
        if (closed) {
          drop(1, "recorder closed");
          return;
        }
        queue.push(event);
        enforceBound();
        // Outside an outage write almost at once; during one, the retry timer is already set.
        schedule(failuresInRow > 0 ? backoff(failuresInRow) : 0);
      } catch (err) {
        logger.error(`records: could not queue an event: ${describe(err)}`);
      }
    },

    async flush() {
      cancelTimer();
      if (writing !== null) await writing;
      cancelTimer();
      const before = counts.failures;
      while (queue.length > 0 && counts.failures === before) {
        await writeOnce();
        cancelTimer();
      }
      if (!closed && queue.length > 0) schedule(backoff(Math.max(1, failuresInRow)));
      return queue.length === 0;
    },

    async close(timeoutMs = 5000) {
      closed = true;
      cancelTimer();
      const deadline = Date.now() + timeoutMs;
      // A hung write (server not answering) must not hold shutdown past the deadline.
      const untilDeadline = (p: Promise<unknown>) =>
        Promise.race([p, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
      while (Date.now() < deadline) {
        if (writing !== null) await untilDeadline(writing);
        else if (queue.length === 0) break;
        else {
          await untilDeadline(writeOnce());
          if (queue.length > 0 && failuresInRow > 0 && Date.now() < deadline) {
            await untilDeadline(new Promise((r) => setTimeout(r, backoff(failuresInRow))));
          }
        }
      }
      // A write still running may yet succeed: counted as lost now, as written if it does.
      const left = unwritten();
      queue = [];
      abandoned = true;
      if (left > 0) {
        counts.dropped += left;
        logger.error(
          `records: closing with ${left} event(s) not written; ${counts.dropped} dropped in total`,
        );
      }
      return stats();
    },

    stats,
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
