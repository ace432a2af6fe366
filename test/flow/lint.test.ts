import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadFlowFile } from "../../src/flow/loadFlow.ts";
import { defaultFlowFile } from "../../src/paths.ts";
import { formatPositionedError } from "../../src/yaml/parseYaml.ts";

const dir = "test/fixtures/flows";

/** Each broken fixture and every error it must produce, in order: `line:col path message`. */
const expected: Record<string, string[]> = {
  // Decision-tree problems come in the order the tree finds them, not sorted by line.
  "ambiguous.yaml": [
    "33:3 outcomes after host=other the outcome is still open (ours_other||none / theirs_other||none) but no question can decide it",
    '13:5 questions.0 unreachable question "ours": no path asks it (it never changes the outcome, or is always implied)',
    '43:5 outcomes.1 outcome "theirs_other" is never reached (an earlier outcome always applies first)',
  ],
  "dead-end.yaml": ["20:3 outcomes dead end: no outcome applies to ready=no"],
  "duplicate-id.yaml": [
    '15:13 questions.0.options.1.id duplicate option id "yes"',
    '28:9 outcomes.1.id duplicate outcome id "go"',
  ],
  "many-errors.yaml": [
    "4:14 tax.rate Too big: expected number to be <=1",
    "11:11 questions.0.text.ja missing translation (ja)",
    '32:10 outcomes.1.fee unknown fee "free"',
  ],
  "missing-translation.yaml": ["11:11 questions.0.text.en missing translation (en)"],
  "outcome-never-reached.yaml": [
    '28:5 outcomes.1 outcome "also_go" is never reached (an earlier outcome always applies first)',
  ],
  "unknown-key.yaml": [
    '10:5 questions.0.options missing "options" (expected array)',
    '12:5 questions.0.optoins unknown key "optoins" (a typo?)',
  ],
  "unknown-option.yaml": ['20:30 outcomes.0.when.is unknown option "maybe" of question "ready"'],
  "unknown-target.yaml": [
    '20:19 outcomes.0.when.fact unknown question "redy"',
    '25:33 outcomes.0.conditions.0.passages.0 unknown passage "P9"',
    '32:10 outcomes.1.fee unknown fee "free"',
  ],
  "unreachable-question.yaml": [
    '17:5 questions.1 unreachable question "colour": no path asks it (it never changes the outcome, or is always implied)',
  ],
  "yaml-syntax.yaml": ["4:1 Flow map in block collection must be sufficiently indented and end with a }"],
};

describe("flow lint", () => {
  it("accepts the real flow and the fixture base", () => {
    expect(loadFlowFile(defaultFlowFile).ok).toBe(true);
    expect(loadFlowFile(`${dir}/base.yaml`).ok).toBe(true);
  });

  it("has an expectation for every broken fixture", () => {
    const fixtures = readdirSync(dir).filter((f) => f !== "base.yaml");
    expect(fixtures.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [fixture, errors] of Object.entries(expected)) {
    it(`reports ${fixture} as file:line:col path message`, () => {
      const loaded = loadFlowFile(`${dir}/${fixture}`);
      expect(loaded.ok).toBe(false);
      if (loaded.ok) return;
      expect(loaded.errors.map(formatPositionedError)).toEqual(errors.map((e) => `${dir}/${fixture}:${e}`));
    });
  }

  it("reports a missing file without throwing", () => {
    const loaded = loadFlowFile(`${dir}/nope.yaml`);
    expect(loaded.ok === false && loaded.errors[0]?.message).toMatch(/cannot read file/);
  });
});
