import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/runCli.ts";

const replay = (...args: string[]) => runCli("src/cli/replay.ts", args);

describe("npm run replay", () => {
  it("passes every golden case in flows/replays and ends with the summary line", () => {
    const { code, stdout } = replay("flows/replays");
    expect(stdout.trim().split("\n").at(-1)).toMatch(/^[1-9][0-9]* passed, 0 failed$/);
    expect(code).toBe(0);
  });

  it("says what differed for each failing case and exits 1", () => {
    const { code, stdout } = replay("test/fixtures/replays/failing.yaml");
    const lines = stdout.trim().split("\n");
    expect(lines).toContain(
      "FAIL test/fixtures/replays/failing.yaml › wrong route on purpose: route expected move, got handover",
    );
    expect(lines).toContain(
      'FAIL test/fixtures/replays/failing.yaml › map does not answer a question the bot asks: the bot asked "current_server", which the answer map does not answer',
    );
    expect(lines.at(-1)).toBe("1 passed, 2 failed");
    expect(code).toBe(1);
  });

  it("reports malformed files with a position instead of crashing", () => {
    const { code, stdout, stderr } = replay(
      "test/fixtures/replays/malformed.yaml",
      "test/fixtures/replays/broken-syntax.json",
    );
    expect(stderr).toBe("");
    expect(stdout).toContain(
      'FAIL test/fixtures/replays/malformed.yaml:3:11 expect.rout unknown key "rout" (a typo?)',
    );
    expect(stdout).toContain(
      'FAIL test/fixtures/replays/malformed.yaml:3:9 expect.route missing "route" (expected string)',
    );
    expect(stdout).toMatch(/FAIL test\/fixtures\/replays\/broken-syntax\.json:\d+:\d+ /);
    // One failure per unreadable file, however many errors it shows.
    expect(stdout.trim().split("\n").at(-1)).toBe("0 passed, 2 failed");
    expect(code).toBe(1);
  });

  it("names a wrongly typed value as such (not as missing), and an empty file as empty", () => {
    const dir = mkdtempSync(join(tmpdir(), "replay-types-"));
    const typed = join(dir, "typed.yaml");
    writeFileSync(
      typed,
      [
        "cases:",
        "  - name: x",
        "    answers: { validity: expired }",
        "    expect: { route: 5, reasons: expired }",
        "",
      ].join("\n"),
    );
    const empty = join(dir, "empty.yaml");
    writeFileSync(empty, "");
    const { stdout } = replay(typed, empty);
    expect(stdout).toContain(
      `FAIL ${typed}:4:22 cases.0.expect.route "route" must be a string, not a number`,
    );
    expect(stdout).toContain(
      `FAIL ${typed}:4:34 cases.0.expect.reasons "reasons" must be a list, not a string`,
    );
    expect(stdout).toContain(`FAIL ${empty}:1:1 the file is empty (expected a mapping)`);
    expect(stdout).not.toContain("missing");
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints one JSON object per case with --json, then the summary", () => {
    const { code, stdout } = replay("--json", "test/fixtures/replays/failing.yaml");
    const lines = stdout.trim().split("\n");
    expect(lines.at(-1)).toBe("1 passed, 2 failed");
    const objects = lines.slice(0, -1).map((l) => JSON.parse(l));
    expect(objects).toHaveLength(3);
    for (const o of objects)
      expect(Object.keys(o)).toEqual([
        "name",
        "ok",
        "route",
        "installer",
        "fee",
        "asked",
        "reasons",
        "error",
      ]);
    expect(objects[0]).toMatchObject({ ok: false, route: "handover", installer: "self", fee: "none" });
    expect(objects[2]).toEqual({
      name: "passes",
      ok: true,
      route: "not_transferable",
      installer: null,
      fee: "none",
      asked: ["validity"],
      reasons: ["expired"],
      error: null,
    });
    expect(code).toBe(1);
  });

  it("fails a missing path and shows help", () => {
    const missing = replay("flows/nope");
    expect(missing.stdout).toContain("FAIL flows/nope:1:1 no such file or folder");
    expect(missing.code).toBe(1);
    const help = replay("--help");
    expect(help.stdout).toMatch(/Usage: npm run replay/);
    expect(help.code).toBe(0);
    expect(replay("--bogus").code).toBe(2);
  });
});
