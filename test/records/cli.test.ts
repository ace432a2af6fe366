import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/records/sqliteStore.ts";
import { runCli } from "../support/runCli.ts";
import { DAY2, EVENTS } from "./fixture.ts";
import { tempDir } from "./harnesses.ts";

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
    expect(help.stdout).toMatch(/Usage: npm run report -- --since YYYY-MM-DD/);
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
    expect(r.stdout).toBe("Removed 13 record(s) of user U1.\n");
    expect(run(ERASE, ["--user", "U1"]).stdout).toBe("Removed 0 record(s) of user U1.\n");
  });
});
