/**
 * Three-valued conditions, each form on its own: the SSL flow uses only some
 * of them (no `not_in`, no literal `yes` in a `when`, `any` only where no part
 * can be yes), so its tests cannot tell a broken form from a working one.
 */
import { describe, expect, it } from "vitest";
import { compileExpr, indexFlow, NO, UNKNOWN, YES } from "../../src/flow/evaluateExpr.ts";
import { type Expr, Flow } from "../../src/flow/schema.ts";
import { smallFlow, smallOutcome, smallQuestion } from "../support/smallFlow.ts";

const flow = Flow.parse(
  smallFlow(
    "expr",
    [smallQuestion("colour", ["red", "blue", "green"]), smallQuestion("ready", ["yes", "no", "unknown"])],
    [smallOutcome("o")],
  ),
);
const index = indexFlow(flow);

/** Evaluates `expr` with colour and ready given as option ids (undefined: not known). */
function evaluate(expr: Expr, colour?: string, ready?: string) {
  const facts = new Int8Array([
    colour === undefined ? -1 : (index.optionIndex[0]?.get(colour) ?? -1),
    ready === undefined ? -1 : (index.optionIndex[1]?.get(ready) ?? -1),
  ]);
  return compileExpr(expr, flow, index)(facts);
}

describe("compileExpr", () => {
  it("reads the literals yes, no and unknown", () => {
    expect(evaluate("yes")).toBe(YES);
    expect(evaluate("no")).toBe(NO);
    expect(evaluate("unknown")).toBe(UNKNOWN);
  });

  it("not_in is yes for an option not listed, no for one listed, and no for a fact not known", () => {
    const notWarm: Expr = { fact: "colour", not_in: ["red"] };
    expect(evaluate(notWarm, "blue")).toBe(YES);
    expect(evaluate(notWarm, "red")).toBe(NO);
    expect(evaluate(notWarm)).toBe(NO);
    expect(evaluate({ fact: "colour", in: ["red", "green"] }, "green")).toBe(YES);
    expect(evaluate({ fact: "colour", in: ["red", "green"] })).toBe(NO);
  });

  it("any is yes as soon as one part is yes, even next to an unknown part", () => {
    const either: Expr = { any: [{ fact: "ready" }, { fact: "colour", is: "red" }] };
    expect(evaluate(either, "red", "unknown")).toBe(YES);
    expect(evaluate(either, "blue", "unknown")).toBe(UNKNOWN);
    expect(evaluate(either, "blue", "no")).toBe(NO);
  });

  it("not keeps unknown unknown and swaps yes and no", () => {
    expect(evaluate({ not: { fact: "ready" } }, undefined, "unknown")).toBe(UNKNOWN);
    expect(evaluate({ not: { fact: "ready" } }, undefined, "yes")).toBe(NO);
    expect(evaluate({ not: { fact: "ready" } }, undefined, "no")).toBe(YES);
  });
});

describe("compileExpr, the other forms", () => {
  const red: Expr = { fact: "colour", is: "red" };
  const ready: Expr = { fact: "ready" };

  it("all is no as soon as one part is no, even next to an unknown part, else unknown if one part is, else yes", () => {
    expect(evaluate({ all: [ready, red] }, "red", "unknown")).toBe(UNKNOWN);
    expect(evaluate({ all: [ready, red] }, "blue", "unknown")).toBe(NO);
    expect(evaluate({ all: [red, ready] }, "blue", "unknown")).toBe(NO);
    expect(evaluate({ all: [ready, red] }, "red", "yes")).toBe(YES);
  });

  it("unknown is yes only when its part is unknown", () => {
    expect(evaluate({ unknown: ready }, undefined, "unknown")).toBe(YES);
    expect(evaluate({ unknown: ready })).toBe(YES);
    expect(evaluate({ unknown: ready }, undefined, "yes")).toBe(NO);
    expect(evaluate({ unknown: ready }, undefined, "no")).toBe(NO);
  });

  it("a yes/no fact read as a truth is unknown when answered unknown or not known", () => {
    expect(evaluate(ready, undefined, "yes")).toBe(YES);
    expect(evaluate(ready, undefined, "no")).toBe(NO);
    expect(evaluate(ready, undefined, "unknown")).toBe(UNKNOWN);
    expect(evaluate(ready)).toBe(UNKNOWN);
  });
});

describe("compileExpr on references the loader would refuse", () => {
  // checkReferences keeps these out of a loaded flow; compiled on their own they must fail loudly, naming the culprit.
  const looped = Flow.parse({ ...flow, derived: { loop: [{ value: { not: { derived: "loop" } } }] } });

  it("refuses a derived fact that refers to itself instead of recursing without end", () => {
    expect(() => compileExpr({ derived: "loop" }, looped, indexFlow(looped))).toThrow(
      "derived fact loop refers to itself",
    );
  });

  it("names an unknown question, option or derived fact", () => {
    expect(() => compileExpr({ fact: "mood" }, flow, index)).toThrow("unknown fact mood");
    expect(() => compileExpr({ fact: "colour", is: "pink" }, flow, index)).toThrow(
      "unknown option colour.pink",
    );
    expect(() => compileExpr({ derived: "nowhere" }, flow, index)).toThrow("unknown derived fact nowhere");
  });
});
