import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { databaseUrlSecrets, redactUrl } from "../../src/records/databaseUrlSecrets.ts";
import { openStore, StoreConfigError } from "../../src/records/openStore.ts";
import {
  applyRetention,
  retentionDaysFromEnv,
  scheduleDeliveryPrune,
  scheduleRetention,
} from "../../src/records/retention.ts";
import { SqliteStore } from "../../src/records/sqliteStore.ts";
import { EVENTS } from "./fixture.ts";
import { TEST_DATABASE_URL, tempDir } from "./harnesses.ts";
import { memoryLogger, waitFor } from "./waitFor.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("openStore", () => {
  it("uses SQLite at SQLITE_PATH when DATABASE_URL is unset, creating the folder", async () => {
    const { dir, remove } = tempDir();
    const path = join(dir, "a", "b", "records.db");
    const { store, description } = await openStore({ SQLITE_PATH: path });
    expect(store).toBeInstanceOf(SqliteStore);
    expect(description).toBe(`SQLite ${path}`);
    expect((await store.appliedMigrations()).length).toBeGreaterThan(0);
    await store.close();
    remove();
  });

  it("rejects a DATABASE_URL that is not PostgreSQL, clearly", async () => {
    await expect(openStore({ DATABASE_URL: "mysql://u:secret@h/db" })).rejects.toThrow(StoreConfigError);
    await expect(openStore({ DATABASE_URL: "mysql://u:secret@h/db" })).rejects.toThrow(
      /must be a postgres:\/\/ or postgresql:\/\/ URL \(got mysql:\)/,
    );
    await expect(openStore({ DATABASE_URL: "./file.db" })).rejects.not.toThrow(/secret/);
  });

  it("fails with the driver's error when PostgreSQL is unreachable, without the password", async () => {
    const err = await openStore({ DATABASE_URL: "postgres://u:s3cret@127.0.0.1:1/db" }).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    expect((err as Error).message).not.toContain("s3cret");
  });

  it.skipIf(TEST_DATABASE_URL === undefined)(
    "names the search_path when no schema on it exists (PostgreSQL's own message names none)",
    async () => {
      const url = new URL(TEST_DATABASE_URL ?? "");
      url.searchParams.set("options", "-c search_path=no_such_schema_here");
      const err = await openStore({ DATABASE_URL: url.toString() }).catch((e: Error) => e);
      expect((err as Error).message).toMatch(
        /the search_path \(no_such_schema_here\) names no schema that exists and this role may use: create it \(CREATE SCHEMA/,
      );
    },
  );

  it("redacts passwords from URLs", () => {
    expect(redactUrl("postgres://u:p%40ss@h:5432/db")).toBe("postgres://u:***@h:5432/db");
    expect(redactUrl("postgres://h/db")).toBe("postgres://h/db");
    expect(redactUrl("not a url")).toBe("(unparseable URL)");
  });

  it("redacts passwords given as query parameters, which pg also reads, and keeps the others", () => {
    expect(redactUrl("postgres://u@h/db?sslmode=require&password=hunter2")).toBe(
      "postgres://u@h/db?sslmode=require&password=***",
    );
    expect(redactUrl("postgres://u:p@h/db?sslpassword=k%20ey&application_name=bot")).toBe(
      "postgres://u:***@h/db?sslpassword=***&application_name=bot",
    );
    // However the name is written or encoded.
    expect(redactUrl("postgres://h/db?PASSWORD=a&pass%77ord=b&db_token=c&secret")).toBe(
      "postgres://h/db?PASSWORD=***&pass%77ord=***&db_token=***&secret=***",
    );
  });

  it("redacts URLs pg accepts and new URL() refuses, and passwords with unescaped characters", () => {
    // A socket directory: pg reads `@/db?host=/run/postgresql`.
    expect(redactUrl("postgres://bot:pw1234@/db?host=/var/run/postgresql")).toBe(
      "postgres://bot:***@/db?host=/var/run/postgresql",
    );
    expect(redactUrl("postgresql://u@/db?host=/tmp&password=pw5678")).toBe(
      "postgresql://u@/db?host=/tmp&password=***",
    );
    expect(redactUrl("postgres://bot:pw9999@db:99999/db")).toBe("postgres://bot:***@db:99999/db");
    expect(redactUrl("postgres://u:p@ss/w:rd@h/db#x")).toBe("postgres://u:***@h/db#x");
  });

  it("lists a URL's secrets as written and as pg decodes them, in every shape above", () => {
    expect(databaseUrlSecrets("postgres://bot:pw1234@/db?host=/var/run/postgresql")).toEqual(["pw1234"]);
    expect(databaseUrlSecrets("postgresql://u@/db?host=/tmp&password=pw5678")).toEqual(["pw5678"]);
    expect(databaseUrlSecrets("postgres://bot:pw9999@db:99999/db")).toEqual(["pw9999"]);
    expect(databaseUrlSecrets("postgres://u:p@ss/w:rd@h/db")).toEqual(["p@ss/w:rd"]);
    expect(databaseUrlSecrets("postgres://u:p%40ss@h/db")).toEqual(["p%40ss", "p@ss"]);
    // A malformed escape: pg's URLSearchParams keeps it as written; `+` is a space.
    expect(databaseUrlSecrets("postgres://h/db?password=a%zzb%41")).toEqual(["a%zzb%41", "a%zzbA"]);
    expect(databaseUrlSecrets("postgres://h/db?password=a+b%2B")).toEqual(["a+b%2B", "a+b+", "a b+"]);
    expect(databaseUrlSecrets("not a url")).toEqual([]);
    expect(databaseUrlSecrets(undefined)).toEqual([]);
  });
});

describe("retention", () => {
  it("reads RETENTION_DAYS: unset keeps everything, else whole days ≥ 1", () => {
    expect(retentionDaysFromEnv({})).toBeNull();
    expect(retentionDaysFromEnv({ RETENTION_DAYS: " " })).toBeNull();
    expect(retentionDaysFromEnv({ RETENTION_DAYS: "30" })).toBe(30);
    expect(retentionDaysFromEnv({ RETENTION_DAYS: "1" })).toBe(1);
    for (const bad of ["0", "-1", "1.5", "thirty"]) {
      expect(() => retentionDaysFromEnv({ RETENTION_DAYS: bad })).toThrow(/RETENTION_DAYS must be/);
    }
  });

  it("purges at start and logs how many; failures are logged, not thrown", async () => {
    const { dir, remove } = tempDir();
    const store = new SqliteStore({ path: join(dir, "r.db") });
    await store.record(EVENTS);
    const logger = memoryLogger();
    const stop = scheduleRetention(store, 30, logger);
    await waitFor("purge", async () => (await store.countEvents()) === 0);
    stop();
    await waitFor("log line", () => logger.lines.length > 0);
    expect(logger.lines[0]?.msg).toBe(
      `records: retention removed ${EVENTS.length} record(s) older than 30 day(s)`,
    );
    await store.close();
    expect(await applyRetention(store, 30, logger)).toBe(0);
    expect(logger.lines.at(-1)).toMatchObject({ level: "warn" });
    remove();
  });

  it("purges again at each interval, logs only runs that removed something, and stops when told", async () => {
    const { dir, remove } = tempDir();
    const store = new SqliteStore({ path: join(dir, "r.db") });
    await store.record(EVENTS);
    const logger = memoryLogger();
    const stop = scheduleRetention(store, 30, logger, 20);
    await waitFor("purge at start", async () => (await store.countEvents()) === 0);
    await sleep(60);
    await store.record(EVENTS);
    await waitFor("a later purge", async () => (await store.countEvents()) === 0);
    stop();
    // Runs that found nothing to remove stay silent.
    expect(logger.lines.map((l) => l.msg)).toEqual([
      `records: retention removed ${EVENTS.length} record(s) older than 30 day(s)`,
      `records: retention removed ${EVENTS.length} record(s) older than 30 day(s)`,
    ]);
    await store.record(EVENTS);
    await sleep(100);
    expect(await store.countEvents()).toBe(EVENTS.length);
    await store.close();
    remove();
  });

  it("without RETENTION_DAYS keeps everything and does nothing", async () => {
    const { dir, remove } = tempDir();
    const store = new SqliteStore({ path: join(dir, "r.db") });
    await store.record(EVENTS);
    const logger = memoryLogger();
    const stop = scheduleRetention(store, null, logger, 20);
    await sleep(100);
    stop();
    expect(await store.countEvents()).toBe(EVENTS.length);
    expect(logger.lines).toEqual([]);
    await store.close();
    remove();
  });

  it("logs a failed removal of delivery claims instead of throwing", async () => {
    const { dir, remove } = tempDir();
    const store = new SqliteStore({ path: join(dir, "r.db") });
    await store.migrate();
    await store.close();
    const logger = memoryLogger();
    const stop = scheduleDeliveryPrune(store, logger, 60_000);
    await waitFor("the warning", () => logger.lines.length > 0);
    stop();
    expect(logger.lines[0]).toMatchObject({ level: "warn" });
    expect(logger.lines[0]?.msg).toMatch(/^records: removing old delivery claims failed, will retry: /);
    remove();
  });

  it("removes delivery claims older than a day at start and hourly, with or without RETENTION_DAYS", async () => {
    const { dir, remove } = tempDir();
    const store = new SqliteStore({ path: join(dir, "r.db") });
    await store.migrate();
    const now = Date.now();
    // A window of ten days: the claim is refused while its row is there, taken once it is gone.
    const stillThere = async (key: string) => !(await store.claimDelivery(key, "U0", 10 * 86_400_000, now));
    await store.claimDelivery("event:Old", "UOLD", 600_000, now - 2 * 86_400_000);
    await store.claimDelivery("event:New", "UNEW", 600_000, now - 60_000);
    const stop = scheduleDeliveryPrune(store, memoryLogger(), 50);
    await waitFor("the prune at start", async () => !(await stillThere("event:Old")));
    expect(await stillThere("event:New")).toBe(true);
    await store.claimDelivery("event:Later", "ULATER", 600_000, now - 3 * 86_400_000);
    await waitFor("the next run", async () => !(await stillThere("event:Later")));
    stop();
    await store.close();
    remove();
  });
});
