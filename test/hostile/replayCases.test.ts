import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type LoadedCases, parseCases } from "../../src/replay/loadCases.ts";
import { runs } from "../support/propertyRuns.ts";

/** Random YAML and JSON into the replay case loader: cases or positioned errors, never an exception. */

function expectWellBehaved(text: string): LoadedCases {
  let result: LoadedCases | undefined;
  expect(() => {
    result = parseCases(text, "fuzz.yaml");
  }).not.toThrow();
  if (!result) throw new Error("no result");
  expect(result.cases.length + result.errors.length).toBeGreaterThan(0);
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const e of result.errors) {
    expect(e.file).toBe("fuzz.yaml");
    expect(Number.isInteger(e.line) && e.line >= 1 && e.line <= lines + 1, `line ${e.line} of ${lines}`).toBe(
      true,
    );
    expect(Number.isInteger(e.col) && e.col >= 1, `col ${e.col}`).toBe(true);
    expect(typeof e.message).toBe("string");
    expect(e.message.length).toBeGreaterThan(0);
  }
  for (const c of result.cases) expect(c.file).toBe("fuzz.yaml");
  return result;
}

const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, true, "yes", "no", "", [], {}, "back", "restart"),
);
/** A real answer-map case, and a transcript case, to mutate. */
const answerMap = {
  name: "handover",
  lang: "en",
  answers: { validity: "valid", installer: "self" },
  expect: { route: "handover", fee: "none" },
};
const transcript = {
  name: "walk",
  steps: [{ answer: { validity: "valid" } }, "back", { lang: "ja" }, { change: "validity" }],
  expect: { route: "x" },
};

/** Replaces, deletes or adds one field somewhere in a case. */
const mutatedCase = fc
  .tuple(
    fc.constantFrom(answerMap, transcript),
    fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 8 }), value, fc.boolean()), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([base, edits]) => {
    const c = structuredClone(base) as Record<string, unknown>;
    for (const [at, key, v, remove] of edits) {
      const objects: Record<string, unknown>[] = [];
      const walk = (o: unknown) => {
        if (o && typeof o === "object") {
          objects.push(o as Record<string, unknown>);
          for (const child of Object.values(o)) walk(child);
        }
      };
      walk(c);
      const target = objects[at % objects.length] as Record<string, unknown>;
      const keys = Object.keys(target);
      const k = keys.length > 0 && key.length % 2 === 0 ? (keys[at % keys.length] as string) : key;
      if (remove) delete target[k];
      else target[k] = structuredClone(v);
    }
    return c;
  });

describe("replay case loader under random input", () => {
  it("arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => void expectWellBehaved(text)),
      { numRuns: runs(300) },
    );
  });

  it("arbitrary YAML and JSON values, alone or as a case list", () => {
    fc.assert(
      fc.property(value, fc.boolean(), fc.boolean(), (v, asList, asJson) => {
        const data = asList ? { cases: v } : v;
        expectWellBehaved(asJson ? JSON.stringify(data) : stringify(data));
      }),
      { numRuns: runs(300) },
    );
  });

  it("real cases with fields replaced, removed or added: every malformed case is reported, every good one kept", () => {
    fc.assert(
      fc.property(
        fc.array(mutatedCase, { minLength: 1, maxLength: 4 }),
        fc.nat(4),
        fc.boolean(),
        (mutated, at, asJson) => {
          // An untouched case among the damaged ones: it must load, whatever its neighbours hold.
          const good = { ...answerMap, name: "untouched good case" };
          const cases = [...mutated];
          cases.splice(at % (cases.length + 1), 0, good);
          const text = asJson ? JSON.stringify({ cases }, null, 2) : stringify({ cases });
          const result = expectWellBehaved(text);
          expect(result.cases.map((c) => c.testCase.name)).toContain("untouched good case");
          // Each case is either loaded or has at least one error pointing into it.
          expect(result.cases.length).toBeLessThanOrEqual(cases.length);
          if (result.cases.length < cases.length) expect(result.errors.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it("YAML text with lines cut, duplicated or garbled", () => {
    const lines = stringify({ cases: [answerMap, transcript] }).split("\n");
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("cut", "dup", "garble"), fc.nat(), fc.string({ maxLength: 6 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const out = [...lines];
          for (const [kind, at, text] of edits) {
            const i = at % Math.max(out.length, 1);
            if (kind === "cut") out.splice(i, 1);
            else if (kind === "dup") out.splice(i, 0, out[i] ?? "");
            else out[i] = `${(out[i] ?? "").slice(0, at % 7)}${text}`;
          }
          expectWellBehaved(out.join("\n"));
        },
      ),
      { numRuns: runs(300) },
    );
  });
});
