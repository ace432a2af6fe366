import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresStore } from "../../src/records/postgresStore.ts";
import { SqliteStore } from "../../src/records/sqliteStore.ts";
import type { ConsultationEvent, ReportRow } from "../../src/records/types.ts";
import { runCli } from "../support/runCli.ts";
import { DAY2, EVENTS } from "./fixture.ts";
import { dropSchemas, TEST_DATABASE_URL, tempDir, uniqueSchema } from "./harnesses.ts";

const REPORT = "src/cli/report.ts";
const ERASE = "src/cli/erase.ts";

describe("report and erase CLIs (SQLite)", () => {
  const tmp = tempDir();
  const path = join(tmp.dir, "cli.db");
  /** The CLIs read the environment; DATABASE_URL from the developer's shell must not leak in. */
  const env = { SQLITE_PATH: path, DATABASE_URL: "" };
  const run = (script: string, args: string[], extra: Record<string, string> = {}) =>
    runCli(script, args, "", { env: { ...env, ...extra } });

  beforeAll(async () => {
    const store = new SqliteStore({ path });
    await store.record(EVENTS);
    await store.close();
  });
  afterAll(() => tmp.remove());

  it("prints the report as CSV with a header row and proper quoting", () => {
    const r = run(REPORT, ["--since", "2025-03-01", "--until", DAY2, "--format", "csv"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\r\n");
    expect(lines[0]).toBe(
      "id,workspace,user,channel,flow,version,started_at,completed_at,route,installer,fee,answers,shared,handed_off,assignee",
    );
    expect(lines).toHaveLength(6);
    expect(lines[3]).toBe(
      "C,T1,U1,D-U1,ssl-migration,3,2025-03-04T09:00:00.000Z,2025-03-04T09:05:00.000Z,move_self,customer,F0,2,false,true,S1",
    );
  });

  it("prints JSON, and --until is inclusive of its day", () => {
    const r = run(REPORT, ["--since", "2025-03-03", "--until", "2025-03-03", "--format", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((row: { id: string }) => row.id)).toEqual(["A", "B"]);
  });

  it("rejects bad arguments with a clear message and exit 2, never a stack trace", () => {
    for (const args of [
      [],
      ["--since", "2025-02-30"],
      ["--since", "yesterday"],
      ["--since", "2025-03-03", "--format", "xml"],
      ["--since", "2025-03-03", "--until", "2025-03-01"],
      ["--since", "2025-03-03", "--bogus"],
    ]) {
      const r = run(REPORT, args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^report: .+\n\nPrints one row/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const help = run(REPORT, ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: npm run -s report -- --since YYYY-MM-DD/);
  });

  it("exits 1 with a short message when the database cannot be opened, hiding passwords", () => {
    const pgDown = run(REPORT, ["--since", "2025-03-03"], {
      DATABASE_URL: "postgres://u:hunter2@127.0.0.1:1/db",
    });
    expect(pgDown.code).toBe(1);
    expect(pgDown.stderr).toMatch(
      /^report: cannot open the records database \(postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db\)/,
    );
    expect(pgDown.stderr).not.toContain("hunter2");
    const wrong = run(ERASE, ["--user", "U1"], { DATABASE_URL: "mysql://h/db" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(`${pgDown.stderr}${wrong.stderr}`).not.toMatch(/\n\s+at /);
  });

  it("reads .env in the working directory, as npm start does; a variable already set wins", () => {
    const work = join(tmp.dir, "with-env");
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, ".env"), `SQLITE_PATH=${path}\n`);
    const args = ["--since", "2025-03-03", "--until", "2025-03-03", "--format", "json"];
    const unset = { SQLITE_PATH: undefined, DATABASE_URL: undefined };
    const fromEnvFile = runCli(REPORT, args, "", { cwd: work, env: unset });
    expect(fromEnvFile.stderr).toBe("");
    expect(JSON.parse(fromEnvFile.stdout).map((row: { id: string }) => row.id)).toEqual(["A", "B"]);
    // The shell's SQLITE_PATH wins over .env's: a file that is not there is refused.
    const elsewhere = join(tmp.dir, "elsewhere.db");
    const shell = runCli(REPORT, args, "", { cwd: work, env: { ...unset, SQLITE_PATH: elsewhere } });
    expect(shell.code).toBe(1);
    expect(shell.stderr).toContain(elsewhere);
  });

  it("points at the sandbox's records when only they exist (the default file is missing)", () => {
    const work = join(tmp.dir, "sandbox-only");
    mkdirSync(join(work, "data"), { recursive: true });
    writeFileSync(join(work, "data", "sandbox.db"), "");
    const r = runCli(REPORT, ["--since", "2025-03-03"], "", {
      cwd: work,
      env: { SQLITE_PATH: undefined, DATABASE_URL: undefined },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "report: cannot open the records database (SQLite ./data/consultations.db): no such file; set SQLITE_PATH (or DATABASE_URL) as the bot has it (the sandbox's records: SQLITE_PATH=./data/sandbox.db)\n",
    );
  });

  it("refuses a SQLite file that is not there instead of creating an empty one (a wrong path would erase nothing and say so)", () => {
    const missing = join(tmp.dir, "no-such.db");
    for (const [script, args] of [
      [ERASE, ["--user", "U1"]],
      [REPORT, ["--since", "2025-03-03"]],
    ] as const) {
      const r = run(script, [...args], { SQLITE_PATH: missing });
      expect(r.code, script).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        `${script === ERASE ? "erase" : "report"}: cannot open the records database (SQLite ${missing}): no such file; set SQLITE_PATH (or DATABASE_URL) as the bot has it\n`,
      );
    }
    expect(existsSync(missing)).toBe(false);
    // Usage errors still come first, and --help needs no database.
    expect(run(ERASE, ["--help"], { SQLITE_PATH: missing }).code).toBe(0);
  });

  it("erases one user's records and says how many", () => {
    expect(run(ERASE, ["--user", "u1"]).code).toBe(2);
    expect(run(ERASE, []).code).toBe(2);
    const r = run(ERASE, ["--user", "U1"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Removed 13 record(s) of user U1 from SQLite ${path}.\n`);
    expect(r.stderr).toBe("");
    expect(run(ERASE, ["--user", "U1"]).stdout).toBe(`Removed 0 record(s) of user U1 from SQLite ${path}.\n`);
  });

  it("leaves no copy of an erased user's records in the SQLite file (zeroed, write-ahead log emptied)", async () => {
    const own = join(tmp.dir, "privacy.db");
    const store = new SqliteStore({ path: own });
    await store.record(EVENTS);
    await store.close();
    expect(readFileSync(own).includes("D-U2")).toBe(true); // U2's channel id, as stored
    const r = run(ERASE, ["--user", "U2"], { SQLITE_PATH: own });
    expect(r.stdout).toBe(`Removed 2 record(s) of user U2 from SQLite ${own}.\n`);
    for (const file of [own, `${own}-wal`].filter(existsSync))
      expect(readFileSync(file).includes("D-U2"), file).toBe(false);
    expect(readFileSync(own).includes("D-U1")).toBe(true); // the others' records stay
  });

  it("refuses an option given twice instead of using only the last (erase --user U1 --user U2)", () => {
    const r = run(ERASE, ["--user", "U1", "--user", "U2"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("erase: --user is given twice; give it once");
    expect(run(REPORT, ["--since", "2025-03-01", "--since", "2025-03-02"]).code).toBe(2);
  });

  it("reads a .env saved with a byte-order mark; an unreadable .env is named, and --help needs none", () => {
    const work = join(tmp.dir, "bom");
    mkdirSync(join(work, "data"), { recursive: true });
    // A leftover file where the default path points: the BOM must not send the tools there.
    new Database(join(work, "data", "consultations.db")).close();
    writeFileSync(join(work, ".env"), `\uFEFFSQLITE_PATH=${path}\r\n`);
    const unset = { SQLITE_PATH: undefined, DATABASE_URL: undefined };
    const args = ["--since", "2025-03-03", "--until", "2025-03-03", "--format", "json"];
    const r = runCli(REPORT, args, "", { cwd: work, env: unset });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).not.toEqual([]);
    expect(r.stdout).toBe(run(REPORT, args).stdout);

    const dirEnv = join(tmp.dir, "env-is-a-directory");
    mkdirSync(join(dirEnv, ".env"), { recursive: true });
    const bad = runCli(ERASE, ["--user", "U1"], "", { cwd: dirEnv, env: unset });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("erase: .env cannot be read: it is a directory, not a file\n");
    for (const script of [ERASE, REPORT]) {
      const help = runCli(script, ["--help"], "", { cwd: dirEnv, env: unset });
      expect(help.code, script).toBe(0);
      expect(help.stdout).toContain("Usage: npm run");
    }
    expect(runCli(REPORT, ["--since", "soon"], "", { cwd: dirEnv, env: unset }).code).toBe(2);
  });

  it("reports while the app holds the write lock: a file already at the current schema is only read", () => {
    const app = new Database(path);
    app.pragma("journal_mode = WAL");
    app.exec("BEGIN IMMEDIATE"); // what the app holds while it writes a batch
    try {
      const r = run(REPORT, ["--since", "2025-03-01", "--format", "json"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).length).toBeGreaterThan(0);
    } finally {
      app.exec("ROLLBACK");
      app.close();
    }
  });
});

describe.skipIf(TEST_DATABASE_URL === undefined)("report and erase CLIs (PostgreSQL)", () => {
  const url = TEST_DATABASE_URL as string;
  const schemas: string[] = [];
  afterAll(() => dropSchemas(url, schemas));

  /** A database URL whose connections use `schema` and the given extra server settings. */
  async function seededUrl(settings = ""): Promise<string> {
    const schema = uniqueSchema();
    schemas.push(schema);
    const store = new PostgresStore({ connectionString: url, schema });
    await store.migrate();
    await store.record(EVENTS);
    await store.close();
    const u = new URL(url);
    u.searchParams.set("options", `-c search_path=${schema}${settings}`);
    return u.toString();
  }

  it("reports over a read-only connection (a standby, a reporting role) and while a migration lock is held", async () => {
    const readOnly = await seededUrl(" -c default_transaction_read_only=on");
    const r = runCli(REPORT, ["--since", "2025-03-01", "--format", "json"], "", {
      env: { DATABASE_URL: readOnly },
    });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toHaveLength(4);

    // Another instance migrating holds the lock; a current schema needs no lock to be read.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock(5417300511)");
      const started = Date.now();
      const during = runCli(REPORT, ["--since", "2025-03-01", "--format", "json"], "", {
        env: { DATABASE_URL: readOnly },
      });
      expect(during.stderr).toBe("");
      expect(Date.now() - started).toBeLessThan(30_000); // it used to wait the 60 s query timeout
    } finally {
      await holder.end();
    }
  });

  it("erases and says that PostgreSQL keeps deleted rows' bytes until VACUUM", async () => {
    const where = await seededUrl();
    const r = runCli(ERASE, ["--user", "U1"], "", { env: { DATABASE_URL: where } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Removed 13 record\(s\) of user U1 from postgres:\/\/.*\.\n$/);
    expect(r.stdout).not.toContain("ssl_move_test@"); // the password is not shown
    expect(r.stderr).toContain("until VACUUM");
    // Nothing removed, nothing to say about it.
    const again = runCli(ERASE, ["--user", "U1"], "", { env: { DATABASE_URL: where } });
    expect(again.stdout).toMatch(/^Removed 0 record\(s\) of user U1 /);
    expect(again.stderr).toBe("");
  });
});

describe("erase while the bot is using the file (SQLite)", () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it("when the bot kept the log in use, the erased rows leave it at the bot's next checkpoint, as erase says", async () => {
    const path = join(tmp.dir, "busy.db");
    const bot = new SqliteStore({ path }); // the running app
    await bot.record(EVENTS); // U2's records now in the WAL (channel D-U2)
    // More writes after U2's, so pages holding U2's rows are copied into later WAL frames too.
    const filler = (n: number): ConsultationEvent[] =>
      Array.from({ length: n }, (_, i) => ({
        ...(EVENTS[0] as ConsultationEvent),
        id: `F${n}-${i}`,
        consultationId: `F${i}`,
        user: "U9",
        channel: "D-U9",
      }));
    for (let k = 1; k <= 20; k++) await bot.record(filler(k * 5));
    // A reader in the middle of a query (the app's stats, App Home) when erase runs.
    const reader = new Database(path);
    reader.exec("BEGIN");
    reader.prepare("SELECT COUNT(*) FROM consultation_events").get();
    const r = runCli("src/cli/erase.ts", ["--user", "U2"], "", {
      env: { SQLITE_PATH: path, DATABASE_URL: "" },
    });
    expect(r.stderr).toContain("until the bot's next checkpoint");
    expect(r.stdout).toMatch(/^Removed 2 record\(s\) of user U2 /);
    reader.exec("COMMIT");
    reader.close();
    // The bot's next checkpoint (what SQLite's automatic checkpoint does: PASSIVE), then a write.
    const botDb = (bot as unknown as { db: Database.Database }).db;
    const [ck] = botDb.pragma("wal_checkpoint(PASSIVE)") as {
      busy: number;
      log: number;
      checkpointed: number;
    }[];
    expect(ck?.busy).toBe(0);
    await bot.record(filler(1).map((e) => ({ ...e, id: "after" })));
    const wal = `${path}-wal`;
    expect(existsSync(wal)).toBe(true);
    expect(readFileSync(path).includes("D-U2"), "main file").toBe(false);
    expect(readFileSync(wal).includes("D-U2"), "-wal after the bot's next checkpoint").toBe(false);
    await bot.close();
  }, 30_000);
});

describe("report --out and large reports (SQLite)", () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it("writes the file only once the whole report is written, and says how many rows", async () => {
    const path = join(tmp.dir, "out.db");
    const store = new SqliteStore({ path });
    await store.record(EVENTS);
    await store.close();
    const env = { SQLITE_PATH: path, DATABASE_URL: "" };
    const out = join(tmp.dir, "march.csv");
    const r = runCli(REPORT, ["--since", "2025-03-01", "--out", out], "", { env });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`Wrote 4 consultation(s) to ${out}.\n`);
    expect(readFileSync(out, "utf8")).toBe(runCli(REPORT, ["--since", "2025-03-01"], "", { env }).stdout);

    // A report that fails (the database is not one) leaves last month's file as it was, and no partial file.
    writeFileSync(join(tmp.dir, "broken.db"), "not a database, just text ".repeat(100));
    const failed = runCli(REPORT, ["--since", "2025-03-01", "--out", out], "", {
      env: { SQLITE_PATH: join(tmp.dir, "broken.db"), DATABASE_URL: "" },
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr.split("\n")).toHaveLength(2);
    expect(readFileSync(out, "utf8")).toContain("id,workspace,user");
    const nowhere = runCli(REPORT, ["--since", "2025-03-01", "--out", join(tmp.dir, "no-dir", "x.csv")], "", {
      env,
    });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr.split("\n")[0]).toMatch(
      /^report: --out .*no-dir\/x\.csv: the folder .*no-dir does not exist$/,
    );
    const folder = runCli(REPORT, ["--since", "2025-03-01", "--out", tmp.dir], "", { env });
    expect(folder.code).toBe(2);
    expect(folder.stderr.split("\n")[0]).toBe(`report: --out ${tmp.dir} is a folder; give a file name`);
    expect(readdirSync(tmp.dir).filter((f) => f.includes("partial"))).toEqual([]);
    // "-" is standard output, as for diagram and schema.
    expect(runCli(REPORT, ["--since", "2025-03-01", "--out", "-"], "", { env }).stdout).toBe(
      readFileSync(out, "utf8"),
    );
  });

  it("streams thousands of consultations over many days: each once, in order (compared with the single query in reportParity.test.ts)", async () => {
    const path = join(tmp.dir, "many.db");
    const store = new SqliteStore({ path });
    const start = Date.parse("2025-01-01T00:00:00Z");
    const events: ConsultationEvent[] = [];
    // 3,000 consultations over 20 days, half completed ~11 h later (often the next day), three per millisecond pair.
    for (let i = 0; i < 3000; i++) {
      const base = EVENTS[0] as ConsultationEvent;
      const at = start + Math.floor(i / 3) * 1_723_000 + (i % 3 === 0 ? 0 : 1);
      const id = `K${String(i).padStart(5, "0")}`;
      events.push({ ...base, id: `${id}-s`, consultationId: id, kind: "started", at: new Date(at) });
      if (i % 2 === 0)
        events.push({
          ...base,
          id: `${id}-c`,
          consultationId: id,
          kind: "completed",
          at: new Date(at + 40_000_000), // ~11 h later: often the next day
          route: "move",
          installer: "self",
          fee: "none",
        });
    }
    await store.record(events);
    const paged = await store.report({ since: new Date(start) });
    expect(paged).toHaveLength(3000);
    // Oldest first, ties by id, as the single query ordered them.
    for (let k = 1; k < paged.length; k++) {
      const [a, b] = [paged[k - 1] as ReportRow, paged[k] as ReportRow];
      expect(
        a.started_at < b.started_at || (a.started_at === b.started_at && a.id < b.id),
        `${a.id} ${b.id}`,
      ).toBe(true);
    }
    expect(new Set(paged.map((r) => r.id)).size).toBe(3000);
    // A completion on the next day stays with the consultation, on its start's page.
    for (const r of paged.filter((r) => r.completed_at !== ""))
      expect(Date.parse(r.completed_at) - Date.parse(r.started_at)).toBe(40_000_000);
    expect(paged.filter((r) => r.completed_at !== "")).toHaveLength(1500);
    const pages: number[] = [];
    for await (const page of store.reportPages({ since: new Date(start) })) pages.push(page.length);
    expect(pages.length).toBeGreaterThanOrEqual(3); // 4,500 events, at most 2,000 a page
    expect(pages.reduce((a, b) => a + b, 0)).toBe(3000);
    // A range starting mid-way keeps only consultations started in it.
    const fromDay10 = await store.report({ since: new Date(start + 10 * 86_400_000) });
    expect(fromDay10.every((r) => Date.parse(r.started_at) >= start + 10 * 86_400_000)).toBe(true);
    expect(fromDay10.length).toBe(
      paged.filter((r) => Date.parse(r.started_at) >= start + 10 * 86_400_000).length,
    );
    await store.close();
  });

  it("splits one busy day into pages of at most 2,000 events, losing and repeating nothing", async () => {
    const store = new SqliteStore({ path: join(tmp.dir, "busy-day.db") });
    const start = Date.parse("2025-02-01T00:00:00Z");
    const base = EVENTS[0] as ConsultationEvent;
    const events: ConsultationEvent[] = [];
    for (let i = 0; i < 45_000; i++) {
      const id = `D${String(i).padStart(6, "0")}`;
      // Two per millisecond from midnight: about 22 s of one day.
      events.push({
        ...base,
        id: `${id}-s`,
        consultationId: id,
        kind: "started",
        at: new Date(start + (i >> 1)),
      });
    }
    await store.record(events);
    const pages: ReportRow[][] = [];
    for await (const page of store.reportPages({ since: new Date(start) })) pages.push(page);
    expect(pages.length).toBeGreaterThanOrEqual(23);
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(2_000);
    const ids = pages.flat().map((r) => r.id);
    expect(ids).toEqual(events.map((e) => e.consultationId));
    await store.close();
  });

  it("a millisecond holding more than a page of events is one page: the report still ends", async () => {
    const store = new SqliteStore({ path: join(tmp.dir, "one-ms.db") });
    const at = new Date("2025-02-02T00:00:00Z");
    const base = EVENTS[0] as ConsultationEvent;
    const ids = Array.from({ length: 2_500 }, (_, i) => `M${String(i).padStart(5, "0")}`);
    await store.record(
      ids.map((id) => ({ ...base, id: `${id}-s`, consultationId: id, kind: "started" as const, at })),
    );
    const later = {
      ...base,
      id: "N-s",
      consultationId: "N",
      kind: "started" as const,
      at: new Date(at.getTime() + 1),
    };
    await store.record([later]);
    const pages: ReportRow[][] = [];
    for await (const page of store.reportPages({ since: at })) pages.push(page);
    expect(pages.map((p) => p.length)).toEqual([2_500, 1]);
    expect(pages.flat().map((r) => r.id)).toEqual([...ids, "N"]);
    await store.close();
  });
});
