import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { PostgresStore } from "../../src/records/postgresStore.ts";
import { SqliteStore } from "../../src/records/sqliteStore.ts";
import type { RecordStore } from "../../src/records/types.ts";
import type { StoreHarness } from "./describeStore.ts";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "records-test-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Each store gets its own temp file. */
export function sqliteHarness(): StoreHarness {
  const paths = new Map<RecordStore, string>();
  const dirs: (() => void)[] = [];
  return {
    async fresh() {
      const { dir, remove } = tempDir();
      dirs.push(remove);
      const path = join(dir, "nested", "consultations.db");
      const store = new SqliteStore({ path });
      paths.set(store, path);
      return store;
    },
    async another(of) {
      const store = new SqliteStore({ path: paths.get(of) as string });
      paths.set(store, paths.get(of) as string);
      return store;
    },
    async cleanup() {
      for (const remove of dirs.splice(0)) remove();
    },
  };
}

let schemaSeq = 0;
/** A schema name unique to this run, so concurrent runs on one database never collide. */
export function uniqueSchema(): string {
  return `records_t${process.pid}_${Date.now().toString(36)}_${schemaSeq++}`;
}

/** Each store gets its own schema in TEST_DATABASE_URL, dropped afterwards. */
export function postgresHarness(url: string): StoreHarness {
  const schemas = new Map<RecordStore, string>();
  const made: string[] = [];
  const open = (schema: string) => {
    const store = new PostgresStore({ connectionString: url, schema, poolSize: 4 });
    schemas.set(store, schema);
    return store;
  };
  return {
    async fresh(options) {
      const schema = uniqueSchema();
      made.push(schema);
      const store = open(schema);
      if (options?.migrate !== false) await store.migrate();
      return store;
    },
    async another(of) {
      return open(schemas.get(of) as string);
    },
    async cleanup() {
      await dropSchemas(url, made.splice(0));
    },
  };
}

export async function dropSchemas(url: string, schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
