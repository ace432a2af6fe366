import { readFileSync } from "node:fs";
import fc from "fast-check";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { compileFlowText, type LoadResult } from "../../src/flow/loadFlow.ts";
import { defaultFlowFile } from "../../src/paths.ts";
import { runs } from "../support/propertyRuns.ts";

const realFlow = readFileSync(defaultFlowFile, "utf8");
const realLines = realFlow.split("\n");

/**
 * The lines of a text as a YAML reader counts them: "\r\n", "\r" and "\n" each
 * end a line (YAML 1.2 b-break; js-yaml, which reads the data, counts a lone
 * "\r" too, so an error after one is on a later line than "\n" alone gives).
 */
const lineCount = (text: string) => text.split(/\r\n|\r|\n/).length;

/** The stage of the loader an error comes from, by its message. */
type Stage = "yaml" | "schema" | "references" | "tree";
const TREE =
  /^(dead end: |after .* the outcome is still open|unreachable question |outcome ".*" is never reached|too many combinations|".*" of outcome ".*" cites none of its passages )/s;
const REFERENCES =
  /^(duplicate (question|option|outcome|conditions|steps|notes) id |unknown (question|option|derived fact|passage|fee) |an implied fact |the last case of |derived facts refer |only the last outcome |no fee for |".*" is not a yes\/no question)/s;
function stageOf(message: string, path: string): Stage {
  if (TREE.test(message)) return "tree";
  if (REFERENCES.test(message)) return "references";
  return path === "" && !/^the file /.test(message) ? "yaml" : "schema";
}

/**
 * Never an exception: either a compiled flow or positioned errors that point
 * inside the file. Returns the stages the errors came from.
 */
function expectWellBehaved(text: string): { result: LoadResult; stages: Set<Stage> } {
  let result: LoadResult | undefined;
  expect(() => {
    result = compileFlowText(text, "fuzz.yaml");
  }).not.toThrow();
  if (!result) throw new Error("no result");
  const stages = new Set<Stage>();
  if (!result.ok) {
    expect(result.errors.length).toBeGreaterThan(0);
    const lines = lineCount(text);
    for (const e of result.errors) {
      const where = `${e.line}:${e.col} ${e.message} (${lines} lines)`;
      expect(e.file).toBe("fuzz.yaml");
      expect(Number.isInteger(e.line) && Number.isInteger(e.col), where).toBe(true);
      expect(e.line, where).toBeGreaterThanOrEqual(1);
      expect(e.col, where).toBeGreaterThanOrEqual(1);
      expect(e.message.length).toBeGreaterThan(0);
      if (e.line === lines + 1) {
        // The one place past the last line: js-yaml appends "\n" to a text that
        // does not end with one, so a syntax error at the very end of such a
        // text is reported at the start of the line after it. Only there.
        expect(/(\r\n|\r|\n)$/.test(text), where).toBe(false);
        expect(e.col, where).toBe(1);
        expect(stageOf(e.message, e.path), where).toBe("yaml");
      } else expect(e.line, where).toBeLessThanOrEqual(lines);
      stages.add(stageOf(e.message, e.path));
    }
  }
  return { result, stages };
}

/** Pieces of YAML that trip parsers: tabs, CR/LF, BOMs, anchors, aliases, tags, block scalars, odd keys. */
const yamlToken = fc.constantFrom(
  "id: ssl-migration",
  "version: 1",
  "questions:",
  "outcomes:",
  "fees:",
  "passages:",
  "  - id: validity",
  "    options:",
  "      - id: yes",
  "      - id: no",
  "\twhen: { fact: validity, is: valid }",
  "  \t- id: tab",
  "\t",
  "- &a { id: x }",
  "- *a",
  "<<: *a",
  "&anchor key: value",
  "*nowhere : value",
  "? complex key",
  ": complex value",
  "? [a, b]",
  "key: |",
  "key: >-",
  "key: |+2",
  "  folded text",
  "key: !!binary aGVsbG8=",
  "key: !!str 1",
  "key: !!int x",
  "key: !!map {}",
  "key: !custom x",
  "%YAML 1.2",
  "%TAG ! tag:example.com,2000:",
  "---",
  "...",
  "key: value",
  "key: value # comment",
  "id: duplicate",
  "id: duplicate",
  "'quoted: key': 'it''s'",
  '"double\\tquoted": "\\u00e9\\x41\\N"',
  "[unclosed, flow",
  "{a: 1, b: [2, {c: 3}]}",
  "- - - nested",
  "key: 'unterminated",
  "   odd: indentation",
  " - one space",
  "rate: 0.1e999",
  "amount: .nan",
  "amount: 0x1F",
  "when: ~",
  "\uFEFFid: bom",
  "\u00A0key: nbsp",
  "キー: 値",
  "emoji: 🔐",
  "",
);
const indent = fc.constantFrom("", "", " ", "  ", "    ", "\t", " \t", "      ");
const yamlLine = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(indent, yamlToken).map(([i, t]) => i + t) },
  {
    weight: 1,
    arbitrary: fc.tuple(indent, fc.string({ unit: "binary", maxLength: 20 })).map(([i, s]) => i + s),
  },
);
const yamlish = fc
  .record({
    bom: fc.boolean(),
    lines: fc.array(yamlLine, { minLength: 1, maxLength: 25 }),
    eol: fc.constantFrom("\n", "\r\n", "\r"),
    mixedEol: fc.boolean(),
    finalEol: fc.boolean(),
  })
  .chain((r) =>
    fc
      .array(fc.constantFrom("\n", "\r\n", "\r"), { minLength: r.lines.length, maxLength: r.lines.length })
      .map((eols) => {
        let text = r.bom ? "\uFEFF" : "";
        r.lines.forEach((line, i) => {
          text += line;
          if (i < r.lines.length - 1 || r.finalEol) text += r.mixedEol ? eols[i] : r.eol;
        });
        return text;
      }),
  );

// ---- The real flow, changed in meaning but still well-formed YAML ----

type Node = Record<string, unknown>;
const realData = load(realFlow) as Node;
const isNode = (x: unknown): x is Node => typeof x === "object" && x !== null && !Array.isArray(x);

/** Every id the flow defines: questions, options, outcomes, fee codes, passages, derived facts. */
const ALL_IDS = (() => {
  const ids = new Set<string>();
  for (const q of realData.questions as Node[]) {
    ids.add(q.id as string);
    for (const o of q.options as Node[]) ids.add(o.id as string);
  }
  for (const o of realData.outcomes as Node[]) ids.add(o.id as string);
  for (const k of Object.keys(realData.fees as Node)) ids.add(k);
  for (const k of Object.keys(realData.passages as Node)) ids.add(k);
  for (const k of Object.keys((realData.derived as Node | undefined) ?? {})) ids.add(k);
  return [...ids].sort();
})();

/** Every place in a value: the containers holding a key (or index), with the value there. */
function places(root: unknown): Array<{ parent: Node | unknown[]; key: string | number; value: unknown }> {
  const out: Array<{ parent: Node | unknown[]; key: string | number; value: unknown }> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node))
      node.forEach((value, key) => {
        out.push({ parent: node, key, value });
        walk(value);
      });
    else if (isNode(node))
      for (const [key, value] of Object.entries(node)) {
        out.push({ parent: node, key, value });
        walk(value);
      }
  };
  walk(root);
  return out;
}

const remove = (parent: Node | unknown[], key: string | number) => {
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key as string];
};

type Edit = { kind: string; pick: number; other: number };
const EDITS = [
  "swap id", // a reference (or an id) now names another real id, of any kind
  "drop when", // an outcome, condition, implied rule or derived case loses its `when`
  "drop option", // a question loses an option
  "duplicate id", // a question, option, outcome or condition takes a sibling's id
  "rename key", // a fee, passage or derived fact is renamed: its references dangle
  "drop item", // a question or an outcome disappears
  "reorder", // two questions or two outcomes change places
] as const;

/** Applies one edit to a copy of the flow data; the pick numbers choose where. */
function applyEdit(data: Node, { kind, pick, other }: Edit): void {
  const all = places(data);
  const choose = <T>(list: T[], n: number): T | undefined => list[n % Math.max(list.length, 1)];
  switch (kind) {
    case "swap id": {
      const spot = choose(
        all.filter((p) => typeof p.value === "string" && ALL_IDS.includes(p.value)),
        pick,
      );
      if (spot) (spot.parent as Node)[spot.key as string] = choose(ALL_IDS, other);
      break;
    }
    case "drop when": {
      const spot = choose(
        all.filter((p) => p.key === "when"),
        pick,
      );
      if (spot) remove(spot.parent, spot.key);
      break;
    }
    case "drop option": {
      const q = choose(data.questions as Node[], pick);
      if (q) (q.options as unknown[]).splice(other % (q.options as unknown[]).length, 1);
      break;
    }
    case "duplicate id": {
      const lists = all.filter(
        (p) => Array.isArray(p.value) && p.value.length > 1 && p.value.every((x) => isNode(x) && "id" in x),
      );
      const list = choose(lists, pick)?.value as Node[] | undefined;
      if (list) {
        const i = other % list.length;
        (list[i] as Node).id = (list[(i + 1) % list.length] as Node).id;
      }
      break;
    }
    case "rename key": {
      const group = choose(["fees", "passages", "derived"], pick) as string;
      const record = data[group];
      if (isNode(record)) {
        const key = choose(Object.keys(record), other);
        if (key !== undefined) {
          record[group === "passages" ? `P${900 + (other % 50)}` : `${key}_renamed`] = record[key];
          delete record[key];
        }
      }
      break;
    }
    case "drop item": {
      const list = data[pick % 2 === 0 ? "questions" : "outcomes"] as unknown[];
      if (list.length > 1) list.splice(other % list.length, 1);
      break;
    }
    case "reorder": {
      const list = data[pick % 2 === 0 ? "questions" : "outcomes"] as unknown[];
      const i = other % list.length;
      const j = (other * 7 + pick) % list.length;
      [list[i], list[j]] = [list[j], list[i]];
      break;
    }
  }
}

const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom(...EDITS),
  pick: fc.nat({ max: 10_000 }),
  other: fc.nat({ max: 10_000 }),
});

describe("flow loader under random input", () => {
  it("handles arbitrary text, any code points (lone surrogates, controls, CR, BOM, tabs)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 400 }),
          fc.string({ unit: "grapheme", maxLength: 200 }),
          fc
            .array(
              fc.oneof(
                fc.constantFrom("\t", "\r", "\n", "\r\n", "\uFEFF", ":", "- ", "#", "&", "*", "!", "|"),
                fc.string({ unit: "binary", maxLength: 6 }),
              ),
              { maxLength: 60 },
            )
            .map((parts) => parts.join("")),
        ),
        (text) => void expectWellBehaved(text),
      ),
      { numRuns: runs(400) },
    );
  });

  it("handles YAML-ish lines: tabs, CR/LF mixes, BOMs, anchors and aliases, tags, block scalars, complex and duplicate keys", () => {
    fc.assert(
      fc.property(yamlish, (text) => void expectWellBehaved(text)),
      { numRuns: runs(400) },
    );
  });

  it("handles arbitrary YAML values", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        expect(expectWellBehaved(stringify(value)).result.ok).toBe(false);
      }),
      { numRuns: runs(300) },
    );
  });

  it("handles the real flow with lines deleted, duplicated, swapped, cut, tab-indented or CR-ended", () => {
    const lineEdit = fc.record({
      kind: fc.constantFrom("delete", "duplicate", "swap", "truncate", "tab", "cr", "insert"),
      at: fc.nat({ max: realLines.length - 1 }),
      other: fc.nat({ max: realLines.length - 1 }),
      line: fc.tuple(indent, yamlToken).map(([i, t]) => i + t),
    });
    fc.assert(
      fc.property(fc.array(lineEdit, { minLength: 1, maxLength: 3 }), (edits) => {
        const lines = [...realLines];
        for (const { kind, at, other, line } of edits) {
          const i = at % Math.max(lines.length, 1);
          const j = other % Math.max(lines.length, 1);
          const here = lines[i] ?? "";
          if (kind === "delete") lines.splice(i, 1);
          else if (kind === "duplicate") lines.splice(i, 0, here);
          else if (kind === "swap") [lines[i], lines[j]] = [lines[j] ?? "", here];
          else if (kind === "truncate") lines[i] = here.slice(0, Math.floor(here.length / 2));
          else if (kind === "tab") lines[i] = here.replace(/^ {1,2}/, "\t");
          else if (kind === "cr") lines[i] = `${here}\r`;
          else lines.splice(i, 0, line);
        }
        expectWellBehaved(lines.join("\n"));
      }),
      { numRuns: runs(150) },
    );
  });

  it("handles the real flow with random values replaced in the data", () => {
    expect(expectWellBehaved(realFlow).result.ok).toBe(true);
    const candidates = realLines.map((l, i) => [l, i] as const).filter(([l]) => /^\s+[a-z_]+: \S/.test(l));
    fc.assert(
      fc.property(fc.nat({ max: 400 }), fc.jsonValue({ maxDepth: 2 }), (pick, value) => {
        // Replace the pick-th scalar-looking value on a "key: value" line with a random YAML value.
        const [line, index] = candidates[pick % candidates.length] ?? ["", 0];
        const key = line.slice(0, line.indexOf(":") + 1);
        const lines = [...realLines];
        lines[index] = `${key} ${JSON.stringify(value)}`;
        expectWellBehaved(lines.join("\n"));
      }),
      { numRuns: runs(150) },
    );
  });

  it("reports a value of the wrong type (a list or a map where the flow has a scalar) on the line that was edited", () => {
    // Lying inside the file is not enough: a locator that put every error at 1:1 would pass the others.
    const indentOf = (l: string) => l.length - l.trimStart().length;
    // "key: scalar" lines with no nested block after them, so the edit is still valid YAML.
    const candidates = realLines
      .map((l, i) => [l, i] as const)
      .filter(([l, i]) => /^\s+[a-z_]+: [^\s#]/.test(l) && indentOf(realLines[i + 1] ?? "") <= indentOf(l));
    fc.assert(
      fc.property(
        fc.nat({ max: 10_000 }),
        // Containers never fit where the real flow has a scalar.
        fc.oneof(
          fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
          fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.integer(), { minKeys: 1, maxKeys: 2 }),
        ),
        (pick, value) => {
          const [line, index] = candidates[pick % candidates.length] ?? ["", 0];
          const key = line.slice(0, line.indexOf(":") + 1);
          const lines = [...realLines];
          // A line inside a flow map ({ ja: …,\n en: … }) keeps its comma, or the YAML breaks on the next line.
          lines[index] = `${key} ${JSON.stringify(value)}${line.trimEnd().endsWith(",") ? "," : ""}`;
          const { result } = expectWellBehaved(lines.join("\n"));
          expect(result.ok).toBe(false);
          if (result.ok) return;
          const where = `${index + 1}: ${lines[index]} -> ${result.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join("; ")}`;
          expect(
            result.errors.some((e) => e.line === index + 1),
            where,
          ).toBe(true);
        },
      ),
      { numRuns: runs(150) },
    );
  });

  it("handles the real flow changed in meaning (ids swapped or duplicated, a when or an option dropped, items dropped or reordered), and most such runs reach the reference check or the decision tree", () => {
    const counts: Record<Stage | "ok", number> = { yaml: 0, schema: 0, references: 0, tree: 0, ok: 0 };
    let ran = 0;
    let later = 0;
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), fc.boolean(), (edits, asText) => {
        const data = structuredClone(realData);
        for (const e of edits) applyEdit(data, e);
        // Written out again, block style or as one flow-style (JSON) line.
        const text = asText ? stringify(data) : JSON.stringify(data);
        const { result, stages } = expectWellBehaved(text);
        ran++;
        if (result.ok) counts.ok++;
        for (const s of stages) counts[s]++;
        if (stages.has("references") || stages.has("tree")) later++;
      }),
      { numRuns: runs(250) },
    );
    // Each stage is reached, and together the later two in a good share of the runs.
    expect(counts.references, JSON.stringify(counts)).toBeGreaterThan(0);
    expect(counts.tree, JSON.stringify(counts)).toBeGreaterThan(0);
    expect(later / ran, JSON.stringify(counts)).toBeGreaterThanOrEqual(0.5);
  });
});
