import { describe, expect, it } from "vitest";
import { runCli } from "../support/runCli.ts";

// Every bench is one command a skeptic reruns: asked for help it explains
// itself, and a mistyped option stops it at once with one line, before it
// starts any process or touches a database.
const COUNTED: Array<[script: string, option: string]> = [
  ["bench/replay.bench.ts", "--cases"],
  ["bench/clicks.bench.ts", "--clicks"],
  ["bench/versus-bolt.bench.ts", "--rounds"],
  ["bench/memory.bench.ts", "--consultations"],
  ["bench/memory.bench.ts", "--sample-every"],
  ["bench/idle.bench.ts", "--clicks"],
  ["bench/profile.bench.ts", "--clicks"],
  ["bench/profile.bench.ts", "--top"],
];
const BENCHES = [
  ...new Set(COUNTED.map(([script]) => script)),
  "bench/records.bench.ts",
  "bench/pg-restart.check.ts",
];

describe.each(BENCHES)("%s", (script) => {
  it("--help prints the usage and exits 0", () => {
    const { code, stdout, stderr } = runCli(script, ["--help"]);
    expect(stdout).toMatch(/^usage: \S/);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("an unknown option exits 2 with what is wrong and the usage, no stack trace", () => {
    const { code, stdout, stderr } = runCli(script, ["--no-such-option", "3"]);
    expect(stderr.split("\n")[0]).toContain("--no-such-option");
    expect(stderr).toContain("usage: ");
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe("");
    expect(code).toBe(2);
  });
});

describe.each(COUNTED)("%s %s", (script, option) => {
  it("refuses a count that is not a positive whole number", () => {
    for (const bad of ["abc", "-1", "1.5", ""]) {
      const { code, stdout, stderr } = runCli(script, [`${option}=${bad}`]);
      expect(stderr.split("\n")[0], bad).toBe(
        `${option} must be a whole number of at least 1 (got "${bad}")`,
      );
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stdout).toBe("");
      expect(code).toBe(2);
    }
  });
});

describe.each(COUNTED)("%s %s", (script, option) => {
  it("refuses a count past its maximum (it would crash or never end), in one line", () => {
    // A timeout, so a bench that takes the count and starts cannot hang the suite.
    const { code, stdout, stderr } = runCli(script, [`${option}=99999999999`], "", { timeout: 20_000 });
    expect(stderr.split("\n")[0]).toMatch(
      new RegExp(`^${option} must be at most \\d+ \\(got "99999999999"\\)$`),
    );
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe("");
    expect(code).toBe(2);
  });
});

describe("bench/memory.bench.ts", () => {
  it.each([
    [["--consultations", "300", "--checkpoint", "1000"], 7000],
    [["--consultations", "16000"], 16_000],
    [["--consultations", "1000", "--checkpoint", "200", "--sample-every", "200"], 1400],
  ])("refuses %j: the samples around the checkpoint must come before the last ones", (args, needed) => {
    const { code, stdout, stderr } = runCli("bench/memory.bench.ts", args, "", { timeout: 20_000 });
    expect(stderr.split("\n")[0]).toBe(
      `--consultations must be more than --checkpoint + 6 × --sample-every (${needed} here), so that the samples around the checkpoint come before the last 5 (got --consultations ${args[1]})`,
    );
    expect(stderr).toContain("usage: ");
    expect(stdout).toBe("");
    expect(code).toBe(2);
  });
});

describe("bench/records.bench.ts", () => {
  it("never benches the database of DATABASE_URL (it may be production's): TEST_DATABASE_URL only", () => {
    expect(runCli("bench/records.bench.ts", ["--help"]).stdout).toMatch(/TEST_DATABASE_URL=postgres/);
    // Nothing listens on port 1: a bench that tried this URL would fail.
    const { code, stdout, stderr } = runCli("bench/records.bench.ts", [], "", {
      env: { TEST_DATABASE_URL: undefined, DATABASE_URL: "postgres://prod:secret@127.0.0.1:1/production" },
      timeout: 60_000,
    });
    expect(stdout).toContain("PostgreSQL: skipped (set TEST_DATABASE_URL");
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
