import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/paths.ts";
import { runCli } from "../support/runCli.ts";

const TOOLS = [
  ["lint-flow", "src/cli/lintFlow.ts", /Usage: npm run lint-flow/],
  ["diagram", "src/cli/diagram.ts", /Usage: npm run diagram/],
  ["schema", "src/cli/schema.ts", /Usage: npm run schema/],
] as const;

describe("flow tools (lint-flow, diagram, schema)", () => {
  it.each(TOOLS)(
    "%s: --help prints the usage; an unknown option exits 2 with one line and the usage, no stack trace",
    (name, script, usage) => {
      const help = runCli(script, ["--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(usage);
      const bad = runCli(script, ["--bogus"]);
      expect(bad.code).toBe(2);
      expect(bad.stdout).toBe("");
      expect(bad.stderr).toMatch(new RegExp(`^${name}: Unknown option '--bogus'`));
      expect(bad.stderr).toMatch(usage);
      // Not Node's hint to pass it after "--": a flow tool would read it as a file.
      expect(bad.stderr).not.toContain("positional");
      expect(bad.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it.each([
    ["diagram", "src/cli/diagram.ts"],
    ["schema", "src/cli/schema.ts"],
  ])(
    "%s says in one line when it cannot write the file, instead of a stack trace or a hang",
    (name, script) => {
      for (const out of ["/dev/null/out.txt", "/proc/no-such-dir/out.txt"]) {
        const r = runCli(script, ["--out", out]);
        expect(r.code, out).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`^${name}: cannot write ${out}: E[A-Z]+: [^\\n]+\\n$`));
      }
    },
  );

  it("schema --out - prints the same schema it writes to schema/flow.schema.json", () => {
    const r = runCli("src/cli/schema.ts", ["--out", "-"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(projectRoot, "schema", "flow.schema.json"), "utf8"));
  });
});
