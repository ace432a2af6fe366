import { redactUrl } from "./databaseUrlSecrets.ts";
import { PostgresStore } from "./postgresStore.ts";
import { DEFAULT_SQLITE_PATH, SqliteStore } from "./sqliteStore.ts";
import type { Logger, RecordStore } from "./types.ts";

export class StoreConfigError extends Error {}

export type OpenedStore = {
  store: RecordStore;
  /** Where the records live, safe to log: never contains a password. */
  description: string;
};

type StoreEnv = { DATABASE_URL?: string | undefined; SQLITE_PATH?: string | undefined };

/** Where the environment puts the records: DATABASE_URL if set, else the SQLite file. */
export function storeLocation(
  env: StoreEnv,
): { kind: "postgres"; url: string } | { kind: "sqlite"; path: string } {
  const url = env.DATABASE_URL?.trim();
  if (url) return { kind: "postgres", url };
  return { kind: "sqlite", path: env.SQLITE_PATH?.trim() || DEFAULT_SQLITE_PATH };
}

/**
 * Chooses the store from the environment and runs pending migrations:
 * DATABASE_URL unset → SQLite at SQLITE_PATH (default ./data/consultations.db);
 * postgres:// or postgresql:// → PostgreSQL. Throws StoreConfigError for
 * anything else, and the driver's error when the database cannot be opened.
 */
export async function openStore(env: StoreEnv = process.env, logger?: Logger): Promise<OpenedStore> {
  const where = storeLocation(env);
  if (where.kind === "sqlite") {
    return { store: new SqliteStore({ path: where.path }), description: `SQLite ${where.path}` };
  }
  const { url } = where;
  if (!/^postgres(ql)?:\/\//.test(url)) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    throw new StoreConfigError(
      `DATABASE_URL must be a postgres:// or postgresql:// URL${scheme ? ` (got ${scheme}:)` : ""}; ` +
        "unset it to use a SQLite file",
    );
  }
  const store = new PostgresStore({
    connectionString: url,
    onError: (err) => logger?.warn(`records: PostgreSQL connection lost: ${err.message}`),
  });
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return { store, description: `PostgreSQL ${redactUrl(url)}` };
}
