import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { compileFlowText, type LoadResult } from "../../src/flow/loadFlow.ts";
import { defaultFlowFile } from "../../src/paths.ts";

const realFlow = readFileSync(defaultFlowFile, "utf8");
const realLines = realFlow.split("\n");

/** Never an exception: either a compiled flow or positioned errors that point inside the file. */
function expectWellBehaved(text: string): LoadResult {
  let result: LoadResult | undefined;
  expect(() => {
    result = compileFlowText(text, "fuzz.yaml");
  }).not.toThrow();
  if (!result) throw new Error("no result");
  if (!result.ok) {
    expect(result.errors.length).toBeGreaterThan(0);
    const lines = text.split("\n").length;
    for (const e of result.errors) {
      expect(e.file).toBe("fuzz.yaml");
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.line).toBeLessThanOrEqual(lines + 1);
      expect(e.col).toBeGreaterThanOrEqual(1);
      expect(e.message.length).toBeGreaterThan(0);
    }
  }
  return result;
}

describe("flow loader under random input", () => {
  it("handles arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => void expectWellBehaved(text)),
      { numRuns: 300 },
    );
  });

  it("handles arbitrary YAML values", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        expect(expectWellBehaved(stringify(value)).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("handles the real flow with lines deleted, duplicated or swapped", () => {
    const edit = fc.record({
      kind: fc.constantFrom("delete", "duplicate", "swap", "truncate"),
      at: fc.nat({ max: realLines.length - 1 }),
      other: fc.nat({ max: realLines.length - 1 }),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const lines = [...realLines];
        for (const { kind, at, other } of edits) {
          const i = at % Math.max(lines.length, 1);
          if (kind === "delete") lines.splice(i, 1);
          else if (kind === "duplicate") lines.splice(i, 0, lines[i] ?? "");
          else if (kind === "swap")
            [lines[i], lines[other % lines.length]] = [lines[other % lines.length] ?? "", lines[i] ?? ""];
          else lines[i] = (lines[i] ?? "").slice(0, Math.floor((lines[i] ?? "").length / 2));
        }
        expectWellBehaved(lines.join("\n"));
      }),
      { numRuns: 150 },
    );
  });

  it("handles the real flow with random values replaced in the data", () => {
    const parsedOk = expectWellBehaved(realFlow);
    expect(parsedOk.ok).toBe(true);
    fc.assert(
      fc.property(fc.nat({ max: 400 }), fc.jsonValue({ maxDepth: 2 }), (pick, value) => {
        // Replace the pick-th scalar-looking value on a "key: value" line with a random YAML value.
        const candidates = realLines
          .map((l, i) => [l, i] as const)
          .filter(([l]) => /^\s+[a-z_]+: \S/.test(l));
        const [line, index] = candidates[pick % candidates.length] ?? ["", 0];
        const key = line.slice(0, line.indexOf(":") + 1);
        const lines = [...realLines];
        lines[index] = `${key} ${JSON.stringify(value)}`;
        expectWellBehaved(lines.join("\n"));
      }),
      { numRuns: 150 },
    );
  });
});
