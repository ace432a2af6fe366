import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileFlowText, loadFlowFile } from "../../src/flow/loadFlow.ts";
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
  // A citation is a passage id or { id, when }; each part is checked like any other reference.
  "citations.yaml": [
    '28:19 outcomes.0.conditions.0.passages.0.id unknown passage "P3"',
    '29:48 outcomes.0.conditions.0.passages.1.when.is unknown option "maybe" of question "ready"',
    '30:37 outcomes.0.conditions.0.passages.2.when.fact unknown question "colour"',
    '31:36 outcomes.0.conditions.0.passages.3.confirming.0 unknown question "colour"',
    '32:36 outcomes.0.conditions.0.passages.4.confirming.0 "ready" has no "I don\'t know" option, so it is never under "What to check"',
    '33:13 outcomes.0.conditions.0.passages.5 a passage is cited as P1, as { id: P1, when: … } to cite it only where when is yes, or as { id: P1, confirming: [question, …] } to cite it only where one of those questions is under "What to check"',
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
  // Every kind of reference error of the second pass, reported at once.
  "references.yaml": [
    '7:66 fees.none.passages.1 unknown passage "P7"',
    '16:9 questions.1.id duplicate question id "ready"',
    '27:25 questions.2.implied.0.when.fact an implied fact can only depend on questions listed before it, not "later"',
    "28:28 questions.2.implied.1.when.derived an implied fact cannot depend on a derived fact",
    '29:61 questions.2.implied.2.when.all.1.is unknown option "maybe" of question "ready"',
    '29:80 questions.2.implied.2.value unknown option "purple" of question "colour"',
    '36:25 questions.3.implied.0.when.fact an implied fact can only depend on questions listed before it, not "later"',
    "45:5 derived.gate derived facts refer to each other: gate → loop → gate",
    '45:23 derived.gate.0.when.fact "colour" is not a yes/no question: compare it with is / in / not_in',
    '46:50 derived.gate.1.when.any.0.in.1 unknown option "maybe" of question "ready"',
    "49:5 derived.loop derived facts refer to each other: loop → gate → loop",
    "53:5 derived.selfish derived facts refer to each other: selfish → selfish",
    "55:5 derived.round derived facts refer to each other: round → trip → round",
    "58:5 derived.trip derived facts refer to each other: trip → round → trip",
    '58:30 derived.trip.0.value.any.0.fact "mood" is not a yes/no question: compare it with is / in / not_in',
    '61:7 derived.tail.1 the last case of "tail" must have no "when" (the value otherwise)',
    '61:50 derived.tail.1.when.unknown.not_in.0 unknown option "maybe" of question "later"',
    '61:80 derived.tail.1.value.derived unknown derived fact "nowhere"',
    '63:5 outcomes.0 only the last outcome may have no "when"; "first" hides the rest',
    '67:16 outcomes.0.fee.by unknown question "nope"',
    '69:35 outcomes.0.conditions.0.when.derived unknown derived fact "missing"',
    '70:15 outcomes.0.conditions.1.id duplicate conditions id "c" in "first"',
    '70:51 outcomes.0.conditions.1.when.not.is unknown option "green" of question "colour"',
    '78:51 outcomes.1.fee.cases.no unknown fee "dear"',
    '78:64 outcomes.1.fee.cases.maybe unknown option "maybe" of "ready"',
    '83:15 outcomes.1.steps.1.id duplicate steps id "s" in "second"',
    '83:44 outcomes.1.steps.1.when.is unknown option "green" of question "colour"',
    '86:15 outcomes.1.notes.1.id duplicate notes id "n" in "second"',
    '92:30 outcomes.2.fee.cases no fee for "ready" = "no"',
  ],
  // The schema's own messages, and a reference error next to a schema error.
  "schema-messages.yaml": [
    "2:5 id a flow id is lower-case (a-z, 0-9, _ and -)",
    '3:10 version "version" must be a number, not a string',
    '4:14 title.ja "ja" must be a string, not a number',
    "4:21 title.en empty translation (en)",
    "7:35 fees.none.label.ja empty translation (ja)",
    "7:62 fees.none.passages.0 passage ids look like P1, P2, …",
    "9:7 passages.p1 Invalid key in record",
    "11:9 questions.0.id ids are lower_snake_case (a-z, 0-9, _)",
    "14:7 questions.0.options a question needs at least two options",
    "18:11 outcomes.0.when use at most one of is / in / not_in",
    '18:19 outcomes.0.when.fact unknown question "ready"',
    "22:17 outcomes.0.conditions an outcome cites at least one condition",
    "23:12 outcomes.0.steps an outcome lists at least one next step",
    '24:5 outcomes.1.conditions missing "conditions" (expected array)',
    '31:15 outcomes.1.steps.1.id duplicate steps id "s" in "wait"',
  ],
  // Conditional citations that leave a result without any: named with the result's answers.
  "uncited.yaml": [
    '46:11 outcomes.1.conditions.0.passages "not_ready" of outcome "wait" cites none of its passages at the result for ready=yes, colour=blue: give every result at least one',
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
    expect(loaded.ok === false && loaded.errors[0]).toMatchObject({
      file: `${dir}/nope.yaml`,
      line: 1,
      col: 1,
      path: "",
    });
  });

  // Every problem at once: one check that stops early would hide the rest of the outcome.
  it("checks the rest of an outcome after a plain citation", () => {
    const base = readFileSync(`${dir}/base.yaml`, "utf8");
    const text = base.replace(
      "- { id: start, text: { ja: 始める, en: Start } }",
      "- { id: start, passages: [P9], text: { ja: 始める, en: Start } }",
    );
    expect(text).not.toBe(base);
    const loaded = compileFlowText(text, "plain.yaml");
    expect(loaded.ok === false && loaded.errors.map(formatPositionedError)).toEqual([
      'plain.yaml:27:33 outcomes.0.steps.0.passages.0 unknown passage "P9"',
    ]);
  });

  it("reports a file with no questions and no outcomes without throwing", () => {
    const base = readFileSync(`${dir}/base.yaml`, "utf8");
    const loaded = compileFlowText(base.slice(0, base.indexOf("questions:")), "empty.yaml");
    expect(loaded.ok === false && loaded.errors.map((e) => `${e.path} ${e.message}`)).toEqual([
      'questions missing "questions" (expected array)',
      'outcomes missing "outcomes" (expected array)',
    ]);
  });
});
