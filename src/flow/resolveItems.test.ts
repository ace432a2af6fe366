/**
 * Which items of an outcome apply at a result and what each cites, on a small
 * flow where every form can be seen on its own: the SSL flow never leaves an
 * item's or a citation's `when` unknown at a result, so its tests cannot tell
 * "yes" from "not no".
 */
import { describe, expect, it } from "vitest";
import { smallFlow, smallOutcome, smallQuestion, TEXT as text } from "../../test/support/smallFlow.ts";
import { indexFlow } from "./evaluateExpr.ts";
import { makeItemResolver } from "./resolveItems.ts";
import { Flow } from "./schema.ts";

const flow = Flow.parse(
  smallFlow(
    "items",
    [smallQuestion("ready", ["yes", "no", "unknown"])],
    [
      smallOutcome("first", {
        when: { fact: "ready", is: "yes" },
        conditions: [
          { id: "always", passages: ["P1", { id: "P2", when: { fact: "ready" } }, "P3"], text },
          { id: "if_ready", when: { fact: "ready" }, passages: ["P3"], text },
        ],
      }),
      smallOutcome("second", {
        sign: "stop",
        steps: [{ id: "s", when: { not: { fact: "ready" } }, passages: [{ id: "P1", when: "yes" }], text }],
        notes: [{ id: "n", when: { unknown: { fact: "ready" } }, passages: ["P2"], text }],
      }),
    ],
    { P1: text, P2: text, P3: text },
  ),
);
const resolve = makeItemResolver(flow);
const options = indexFlow(flow).optionIndex[0];

/** The resolution at `ready` given as an option id (undefined: not known). */
const at = (outcome: number, ready?: string) =>
  resolve(outcome, new Int8Array([ready === undefined ? -1 : (options?.get(ready) ?? -1)]), []);

describe("makeItemResolver", () => {
  it("cites plain passages always and a conditional one only where its when is yes, in the order listed", () => {
    expect(at(0, "yes").conditions[0]).toEqual(["P1", "P2", "P3"]);
    expect(at(0, "no").conditions[0]).toEqual(["P1", "P3"]);
    // Unknown is not yes: the passage is not cited.
    expect(at(0, "unknown").conditions[0]).toEqual(["P1", "P3"]);
    expect(at(0).conditions[0]).toEqual(["P1", "P3"]);
  });

  it("applies an item only where its when is yes, and gives null where it does not apply", () => {
    expect(at(0, "yes").conditions[1]).toEqual(["P3"]);
    expect(at(0, "no").conditions[1]).toBeNull();
    expect(at(0, "unknown").conditions[1]).toBeNull();
    expect(at(0).conditions[1]).toBeNull();
  });

  it("resolves steps and notes like conditions; an item with no passages cites none, a missing group is empty", () => {
    expect(at(0, "yes")).toEqual({ conditions: [["P1", "P2", "P3"], ["P3"]], steps: [[]], notes: [] });
    expect(at(1, "no")).toEqual({ conditions: [[]], steps: [["P1"]], notes: [null] });
    expect(at(1, "yes")).toEqual({ conditions: [[]], steps: [null], notes: [null] });
    expect(at(1, "unknown")).toEqual({ conditions: [[]], steps: [null], notes: [["P2"]] });
  });

  it("refuses an outcome the flow does not have", () => {
    expect(() => resolve(2, new Int8Array([0]), [])).toThrow("no outcome 2");
  });
});

describe("a citation confirming questions", () => {
  const confirming = Flow.parse(
    smallFlow(
      "confirming",
      [smallQuestion("ready", ["yes", "no", "unknown"]), smallQuestion("size", ["s", "l", "unknown"])],
      [
        smallOutcome("check", {
          sign: "stop",
          conditions: [
            {
              id: "open",
              passages: [
                "P1",
                { id: "P2", confirming: ["ready"] },
                { id: "P3", when: { fact: "size", in: ["l", "unknown"] }, confirming: ["ready", "size"] },
              ],
              text,
            },
          ],
        }),
      ],
      { P1: text, P2: text, P3: text },
    ),
  );
  const resolveConfirming = makeItemResolver(confirming);
  const [readyOptions, sizeOptions] = indexFlow(confirming).optionIndex;
  const cited = (ready: string, size: string, confirm: number[]) =>
    resolveConfirming(
      0,
      new Int8Array([readyOptions?.get(ready) ?? -1, sizeOptions?.get(size) ?? -1]),
      confirm,
    ).conditions[0];

  it("is cited only where one of its questions is to be confirmed, and its when (if any) is yes", () => {
    expect(cited("unknown", "l", [])).toEqual(["P1"]);
    expect(cited("unknown", "l", [0])).toEqual(["P1", "P2", "P3"]);
    expect(cited("unknown", "s", [0])).toEqual(["P1", "P2"]);
    expect(cited("yes", "unknown", [1])).toEqual(["P1", "P3"]);
    expect(cited("unknown", "unknown", [0, 1])).toEqual(["P1", "P2", "P3"]);
  });
});
