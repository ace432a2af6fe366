import pg from "pg";
import { APPLIED_VERSIONS, pendingMigrations, SCHEMA_MIGRATIONS_TABLE } from "./migrations.ts";
import { SqlQueries } from "./sharedQueries.ts";
import * as q from "./sqlQueries.ts";
import type { Snapshot, SqlRunner, Statement } from "./sqlRunner.ts";
import type { ConsultationEvent, RecordStore } from "./types.ts";

/** Any constant works, as long as every instance uses the same: it names the migration lock. */
const MIGRATION_LOCK_KEY = 5_417_300_511;
/** 17 parameters per event: stays far below PostgreSQL's 65,535 bind parameters. */
const INSERT_CHUNK = 1000;

export type PostgresStoreOptions = {
  connectionString: string;
  /** Tables live in this schema (created if missing); default: the role's search_path. */
  schema?: string;
  poolSize?: number;
  /** Fail fast when the server is unreachable, so callers can queue and retry. */
  connectTimeoutMs?: number;
  /** Gives up on a query the server never answers (half-open connection), so the recorder can retry. */
  queryTimeoutMs?: number;
  onError?: (err: Error) => void;
};

/** PostgreSQL store: several app instances can share one database. */
export class PostgresStore extends SqlQueries implements RecordStore {
  private readonly pool: pg.Pool;
  protected readonly runner: SqlRunner;
  private readonly schema: string | undefined;

  constructor(options: PostgresStoreOptions) {
    super();
    if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
      throw new Error(`invalid schema name "${options.schema}"`);
    }
    this.schema = options.schema;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      query_timeout: options.queryTimeoutMs ?? 60_000,
      ...(this.schema === undefined ? {} : { options: `-c search_path=${this.schema}` }),
    });
    // Without a listener, an idle client losing its connection (server restart) crashes the process.
    this.pool.on("error", (err) => options.onError?.(err));
    this.runner = {
      all: async <T>(sql: string, params?: readonly unknown[]) =>
        (await this.pool.query(sql, params as unknown[] | undefined)).rows as T[],
      transaction: (statements: readonly Statement[]) =>
        this.inTransaction(async (c) => {
          const counts: number[] = [];
          for (const s of statements)
            counts.push((await c.query(s.sql, s.params as unknown[])).rowCount ?? 0);
          return counts;
        }),
    };
  }

  /** The server's clock: instances on several machines compare claims against one time. */
  protected async clock(): Promise<number> {
    const [row] = await this.runner.all<{ ms: number }>(
      "SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms",
    );
    if (row === undefined) throw new Error("PostgreSQL returned no time");
    return row.ms;
  }

  /** One connection in a read-only REPEATABLE READ transaction (allowed on a standby too). */
  protected async snapshot(): Promise<Snapshot> {
    const { client, release } = await this.checkout();
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    } catch (err) {
      release(err as Error);
      throw err;
    }
    return {
      runner: {
        all: async <T>(sql: string, params?: readonly unknown[]) =>
          (await client.query(sql, params as unknown[] | undefined)).rows as T[],
        transaction: () => Promise.reject(new Error("a snapshot only reads")),
      },
      close: async () => {
        let broken: Error | undefined;
        await client.query("COMMIT").catch((err: Error) => {
          broken = err;
        });
        release(broken);
      },
    };
  }

  /**
   * A connection of the pool for several statements. pg-pool takes its own
   * 'error' listener off a client it hands out, so a connection lost between
   * two statements (PostgreSQL restarting, a network cut) would emit an error
   * nobody listens to, and end the process. This one listens while the client
   * is out, and a client that lost its connection is destroyed on release.
   */
  private async checkout(): Promise<{ client: pg.PoolClient; release: (err?: Error) => void }> {
    const client = await this.pool.connect();
    let lost: Error | undefined;
    const onError = (err: Error) => {
      lost = err;
    };
    client.on("error", onError);
    return {
      client,
      release: (err) => {
        client.removeListener("error", onError);
        client.release(err ?? lost);
      },
    };
  }

  private async inTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const { client, release } = await this.checkout();
    try {
      await client.query("BEGIN");
      const result = await fn(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      release();
    }
  }

  /**
   * Instances starting together queue on an advisory lock, so each migration
   * runs once; each one commits with its schema_migrations row.
   */
  async migrate(): Promise<void> {
    // Already current: no lock, nothing written, so `report` works over a
    // read-only connection (a standby, a role with SELECT only) and never
    // waits behind another instance's migration.
    if (await this.isCurrent()) return;
    const { client, release } = await this.checkout();
    let broken: Error | undefined;
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      try {
        // Inside the lock: concurrent CREATE SCHEMA IF NOT EXISTS can still collide.
        if (this.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
        // A search_path naming no existing schema leaves nowhere to create tables, and
        // PostgreSQL's own message for that ("no schema has been selected") names no schema.
        const { rows: where } = await client.query<{ schema: string | null; path: string }>(
          "SELECT current_schema() AS schema, current_setting('search_path') AS path",
        );
        if (where[0]?.schema == null)
          throw new Error(
            `the search_path (${where[0]?.path ?? "?"}) names no schema that exists and this role may use: create it (CREATE SCHEMA …), grant USAGE and CREATE on it, or fix the search_path in DATABASE_URL`,
          );
        await client.query(SCHEMA_MIGRATIONS_TABLE);
        const { rows } = await client.query<{ version: number }>(APPLIED_VERSIONS);
        for (const m of pendingMigrations(rows)) {
          await client.query("BEGIN");
          try {
            await client.query(m.postgres);
            await client.query(
              "INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)",
              [m.version, m.name, Date.now()],
            );
            await client.query("COMMIT");
          } catch (err) {
            await client.query("ROLLBACK").catch(() => {});
            throw err;
          }
        }
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch((err: Error) => {
          broken = err;
        });
      }
    } finally {
      // A connection whose unlock failed may still hold the lock: destroy it rather than reuse it.
      release(broken);
    }
  }

  private async isCurrent(): Promise<boolean> {
    let rows: { version: number | string }[];
    try {
      ({ rows } = await this.pool.query<{ version: number | string }>(APPLIED_VERSIONS));
    } catch (err) {
      // No table (42P01) or schema (3F000) yet: the migration creates them, or says why it cannot.
      const code = (err as { code?: string }).code;
      if (code === "42P01" || code === "3F000") return false;
      throw err;
    }
    return pendingMigrations(rows).length === 0;
  }

  /** PostgreSQL keeps a deleted row's bytes until VACUUM lets the space be reused; nothing here can wipe them. */
  async scrubErased(): Promise<"not_possible"> {
    return "not_possible";
  }

  appliedMigrations(): Promise<{ version: number; name: string }[]> {
    return this.runner.all("SELECT version, name FROM schema_migrations ORDER BY version");
  }

  async record(events: readonly ConsultationEvent[]): Promise<number> {
    let added = 0;
    const cols = q.EVENT_COLUMNS;
    for (let i = 0; i < events.length; i += INSERT_CHUNK) {
      const chunk = events.slice(i, i + INSERT_CHUNK);
      const values = chunk.map((_, r) => `(${cols.map((_, c) => `$${r * cols.length + c + 1}`).join(", ")})`);
      // One statement per chunk is atomic on its own; ids make a retried chunk harmless.
      const result = await this.pool.query(
        `INSERT INTO consultation_events (${cols.join(", ")}) VALUES ${values.join(", ")}
         ON CONFLICT (id) DO NOTHING`,
        chunk.flatMap(q.eventValues),
      );
      added += result.rowCount ?? 0;
    }
    return added;
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
