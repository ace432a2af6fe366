/**
 * Record write throughput, SQLite and PostgreSQL.
 *   npx tsx bench/records.bench.ts            (SQLite only)
 *   TEST_DATABASE_URL=postgres://… npx tsx bench/records.bench.ts
 * PostgreSQL runs in a throwaway schema, dropped afterwards (on Ctrl-C too).
 * Only TEST_DATABASE_URL is read: never DATABASE_URL, which may be production's.
 */
import { mkdtempSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createBufferedRecorder } from "../src/records/bufferedRecorder.ts";
import { PostgresStore } from "../src/records/postgresStore.ts";
import { SqliteStore } from "../src/records/sqliteStore.ts";
import type { ConsultationEvent, RecordStore } from "../src/records/types.ts";
import { readCounts } from "./lib/args.ts";
import { atCleanup, cleanUp, removeAtCleanup } from "./lib/cleanup.ts";

readCounts(
  "usage: npm run bench:records   (SQLite; set TEST_DATABASE_URL=postgres://… to add PostgreSQL; DATABASE_URL is never read)",
  {},
);

const quiet = { info: () => {}, warn: console.warn, error: console.error };
let seq = 0;

function event(): ConsultationEvent {
  const n = seq++;
  return {
    id: `bench-${n}`,
    consultationId: `bench-c-${Math.floor(n / 8)}`,
    kind: n % 8 === 0 ? "started" : "answered",
    workspace: "T0BENCH",
    user: `U${n % 1000}`,
    channel: "D0BENCH",
    flowId: "ssl-migration",
    flowVersion: 3,
    at: new Date(),
    question: `q${n % 8}`,
    option: "yes",
    next: `q${(n % 8) + 1}`,
  };
}

async function time(label: string, events: number, fn: () => Promise<void>) {
  // SQLite's writes never wait for I/O, so a Ctrl-C is only heard between the timed parts.
  await new Promise((resolve) => setImmediate(resolve));
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  console.log(
    `  ${label.padEnd(44)} ${String(Math.round(events / s)).padStart(8)} events/s  (${events} in ${s.toFixed(2)} s)`,
  );
}

async function benchStore(name: string, store: RecordStore) {
  console.log(name);
  const one = 2000;
  await time("one event per write (no batching)", one, async () => {
    for (let i = 0; i < one; i++) await store.record([event()]);
  });
  const batched = 50_000;
  await time("batches of 500 (store.record)", batched, async () => {
    for (let i = 0; i < batched; i += 500) await store.record(Array.from({ length: 500 }, event));
  });
  const buffered = 50_000;
  await time("buffered recorder, one record() per event", buffered, async () => {
    const recorder = createBufferedRecorder({ store, logger: quiet, maxQueue: buffered });
    for (let i = 0; i < buffered; i++) recorder.record(event());
    const stats = await recorder.close(120_000);
    if (stats.dropped > 0 || stats.written !== buffered)
      throw new Error(`lost events: ${JSON.stringify(stats)}`);
  });
}

const cpu = cpus();
console.log(`records write benchmark — ${new Date().toISOString()}`);
console.log(
  `machine: ${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, node ${process.version}, ${process.platform}`,
);

// Ctrl-C or a kill: cleanUp() closes the store and removes dir (or drops the schema, below).
const dir = removeAtCleanup(mkdtempSync(join(tmpdir(), "records-bench-")));
const sqlite = new SqliteStore({ path: join(dir, "bench.db") });
atCleanup(() => sqlite.close());
try {
  await benchStore(`SQLite (WAL, synchronous=NORMAL, ${join(dir, "bench.db")})`, sqlite);
} finally {
  await cleanUp();
}

// Never DATABASE_URL: a shell with production's would have this bench write to it.
const url = process.env.TEST_DATABASE_URL;
if (url === undefined || !/^postgres(ql)?:\/\//.test(url)) {
  console.log("PostgreSQL: skipped (set TEST_DATABASE_URL; see scripts/ci-postgres.sh)");
} else {
  const schema = `records_bench_${process.pid}`;
  const store = new PostgresStore({ connectionString: url, schema });
  const admin = new pg.Client({ connectionString: url });
  atCleanup(async () => {
    // On its own connection: admin may never have connected, or be mid-query.
    const dropper = new pg.Client({ connectionString: url });
    await dropper.connect();
    try {
      await dropper.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await dropper.end();
    }
  }, `schema ${schema}`);
  atCleanup(async () => {
    // The store's connections first, so none holds a lock the DROP would wait for.
    await store.close().catch(() => {});
    await admin.end().catch(() => {});
  });
  try {
    await store.migrate();
    await admin.connect();
    const { rows } = await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    await benchStore(`PostgreSQL ${rows[0]?.v} (local, default settings)`, store);
  } finally {
    await cleanUp();
  }
}
