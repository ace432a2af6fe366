import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { APPLIED_VERSIONS, pendingMigrations, SCHEMA_MIGRATIONS_TABLE } from "./migrations.ts";
import { SqlQueries } from "./sharedQueries.ts";
import * as q from "./sqlQueries.ts";
import type { Snapshot, SqlRunner, Statement } from "./sqlRunner.ts";
import type { ConsultationEvent, RecordStore } from "./types.ts";

export const DEFAULT_SQLITE_PATH = "./data/consultations.db";
/** The sandbox (`npm start` without credentials) keeps its records apart from the bot's. */
export const SANDBOX_SQLITE_PATH = "./data/sandbox.db";

export type SqliteStoreOptions = {
  path?: string;
  /**
   * How long a write waits for another process's lock (a CLI) before failing.
   * better-sqlite3 waits synchronously, blocking the event loop, so keep it
   * short: the buffered recorder retries failed writes anyway. Default 1000.
   */
  busyTimeoutMs?: number;
};

/** better-sqlite3 binds named parameters only: $1 → @p1 with { p1 }. */
function named(params: readonly unknown[] = []): Record<string, unknown> {
  return Object.fromEntries(params.map((v, i) => [`p${i + 1}`, v]));
}
// PostgreSQL's $N placeholders, and its "C" collation (byte order, which SQLite calls BINARY).
const rewrite = (sql: string) => sql.replace(/\$(\d+)/g, "@p$1").replaceAll('COLLATE "C"', "COLLATE BINARY");

/**
 * SQLite file store for a single instance. Calls are synchronous underneath
 * (better-sqlite3); they are quick, and WAL keeps readers (report, erase CLIs)
 * from blocking the app's writes.
 */
export class SqliteStore extends SqlQueries implements RecordStore {
  readonly path: string;
  private readonly db: Database.Database;
  protected readonly runner: SqlRunner;
  private readonly insert: Database.Statement;
  private readonly insertMany: (events: readonly ConsultationEvent[]) => number;

  constructor(options: SqliteStoreOptions = {}) {
    super();
    this.path = options.path ?? DEFAULT_SQLITE_PATH;
    if (this.path !== ":memory:") mkdirSync(dirname(this.path), { recursive: true });
    this.db = new Database(this.path);
    this.db.pragma("journal_mode = WAL");
    // NORMAL is durable across application crashes under WAL; only a power loss can lose the last commits.
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 1000}`);
    // Deleted rows (erase, retention) are overwritten with zeros, not only unlinked:
    // an erased customer's answers must not stay readable in the file's free pages.
    this.db.pragma("secure_delete = ON");
    // And the write-ahead log is cut back each time it starts over, so old copies of erased
    // pages do not linger past the next checkpoint in the part of the file not yet rewritten.
    this.db.pragma("journal_size_limit = 0");
    this.runner = this.makeRunner();
    this.migrateNow();
    const cols = q.EVENT_COLUMNS;
    this.insert = this.db.prepare(
      `INSERT INTO consultation_events (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})
       ON CONFLICT (id) DO NOTHING`,
    );
    this.insertMany = this.db.transaction((events: readonly ConsultationEvent[]) => {
      let added = 0;
      for (const e of events) added += this.insert.run(...q.eventValues(e)).changes;
      return added;
    });
  }

  /**
   * A read transaction on this connection (the report CLI's own): WAL keeps
   * the app writing meanwhile, and every read sees the file as at the first.
   */
  protected async snapshot(): Promise<Snapshot> {
    // Two reports read at once on one connection share the first one's transaction.
    const own = !this.db.inTransaction;
    if (own) this.db.exec("BEGIN");
    return {
      runner: this.runner,
      close: async () => {
        if (own && this.db.inTransaction) this.db.exec("COMMIT");
      },
    };
  }

  /** Every instance sharing a SQLite file runs on this machine (the file is local), so on its clock. */
  protected async clock(): Promise<number> {
    return Date.now();
  }

  private makeRunner(): SqlRunner {
    const db = this.db;
    return {
      all: async <T>(sql: string, params?: readonly unknown[]) =>
        db.prepare(rewrite(sql)).all(named(params)) as T[],
      transaction: async (statements: readonly Statement[]) =>
        db
          .transaction(() => statements.map((s) => db.prepare(rewrite(s.sql)).run(named(s.params)).changes))
          .immediate(),
    };
  }

  /**
   * Runs at construction so the insert statement can be prepared. IMMEDIATE
   * takes the write lock first, so two processes starting on one file apply
   * each migration once. A file already at the current schema is only read:
   * `report` then works while the app holds the write lock, and on a file it
   * may only read.
   */
  private migrateNow(): void {
    if (this.isCurrent()) return;
    this.db
      .transaction(() => {
        this.db.exec(SCHEMA_MIGRATIONS_TABLE);
        for (const m of pendingMigrations(this.appliedVersions())) {
          this.db.exec(m.sqlite);
          this.db
            .prepare("INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)")
            .run(m.version, m.name, Date.now());
        }
      })
      .immediate();
  }

  /**
   * The deleted rows' zeroed pages are in the write-ahead log; older copies of
   * those pages may be too. Copying the log into the file and truncating it
   * leaves none. While it waits for the bot's readers it holds off the bot's
   * writers, which wait synchronously (better-sqlite3): so it waits at most
   * 200 ms, then says "busy" (erase then explains).
   */
  async scrubErased(): Promise<"done" | "busy"> {
    const previous = this.db.pragma("busy_timeout", { simple: true }) as number;
    this.db.pragma("busy_timeout = 200");
    try {
      const [result] = this.db.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[];
      return result?.busy === 0 ? "done" : "busy";
    } finally {
      this.db.pragma(`busy_timeout = ${previous}`);
    }
  }

  private appliedVersions(): { version: number }[] {
    return this.db.prepare(APPLIED_VERSIONS).all() as { version: number }[];
  }

  private isCurrent(): boolean {
    try {
      return pendingMigrations(this.appliedVersions()).length === 0;
    } catch {
      return false; // no table yet (a new file), or unreadable: the migration says which
    }
  }

  async migrate(): Promise<void> {
    this.migrateNow();
  }

  async record(events: readonly ConsultationEvent[]): Promise<number> {
    return events.length === 0 ? 0 : this.insertMany(events);
  }

  /** Lets tests and tools inspect the schema. */
  appliedMigrations(): Promise<{ version: number; name: string }[]> {
    return this.runner.all("SELECT version, name FROM schema_migrations ORDER BY version");
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
