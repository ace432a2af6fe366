import { existsSync } from "node:fs";
import type { ParseArgsConfig } from "node:util";
import { loadDotEnv } from "../dotEnv.ts";
import { parseArgsOnce } from "../util/parseArgsOnce.ts";
import { redactUrl } from "./databaseUrlSecrets.ts";
import { openStore, storeLocation } from "./openStore.ts";
import { DEFAULT_SQLITE_PATH, SANDBOX_SQLITE_PATH } from "./sqliteStore.ts";
import type { RecordStore } from "./types.ts";

/** Bad arguments: the CLI prints the message and its usage, and exits 2. */
export class UsageError extends Error {}

export function parseCliArgs<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  try {
    return parseArgsOnce({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** A calendar day YYYY-MM-DD as UTC midnight; rejects impossible dates such as 2025-02-30. */
export function parseDay(flag: string, value: string): Date {
  const d = new Date(`${value}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
    Number.isNaN(d.getTime()) ||
    d.toISOString().slice(0, 10) !== value
  ) {
    throw new UsageError(`${flag} must be a date YYYY-MM-DD, got "${value}"`);
  }
  return d;
}

/** What a store CLI's body gets: the store, opened on first call, and where it is. */
export interface StoreAccess {
  open: () => Promise<RecordStore>;
  /** The database opened, safe to print (never a password): "SQLite ./data/consultations.db". */
  shown: () => string;
}

/**
 * Runs a CLI body with the records store open: usage errors exit 2, a store
 * that cannot be opened exits 1, each with one line and no stack trace.
 * `.env` is read only when the store is opened, so `--help` and usage errors
 * never depend on it.
 */
export async function runStoreCli(
  name: string,
  usage: string,
  body: (access: StoreAccess) => Promise<void>,
): Promise<void> {
  let where: ReturnType<typeof storeLocation> | undefined;
  let store: RecordStore | undefined;
  const shown = () => {
    if (where === undefined) return "?";
    return where.kind === "postgres" ? redactUrl(where.url) : `SQLite ${where.path}`;
  };
  const open = async () => {
    // The same .env as `npm start`, so the tools read the bot's own database.
    const unreadableEnv = loadDotEnv();
    if (unreadableEnv) throw new EnvError(unreadableEnv);
    where = storeLocation(process.env);
    // A missing file is a wrong path, not an empty database: opening would create it and report nothing.
    if (where.kind === "sqlite" && !existsSync(where.path))
      throw new OpenError(
        // The sandbox keeps its records apart; someone who only tried the sandbox looks for them.
        where.path === DEFAULT_SQLITE_PATH && existsSync(SANDBOX_SQLITE_PATH)
          ? `no such file; set SQLITE_PATH (or DATABASE_URL) as the bot has it (the sandbox's records: SQLITE_PATH=${SANDBOX_SQLITE_PATH})`
          : "no such file; set SQLITE_PATH (or DATABASE_URL) as the bot has it",
      );
    try {
      store = (await openStore()).store;
      return store;
    } catch (err) {
      throw new OpenError(err instanceof Error ? err.message : String(err));
    }
  };
  try {
    await body({ open, shown });
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${name}: ${err.message}\n\n${usage}\n`);
      process.exitCode = 2;
    } else if (err instanceof EnvError) {
      process.stderr.write(`${name}: .env cannot be read: ${err.message}\n`);
      process.exitCode = 1;
    } else if (err instanceof OpenError) {
      process.stderr.write(`${name}: cannot open the records database (${shown()}): ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  } finally {
    await store?.close().catch(() => {});
  }
}

class EnvError extends Error {}
class OpenError extends Error {}
