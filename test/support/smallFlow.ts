/**
 * Small flows for the compiler's and the engine's unit tests, where each rule
 * can be seen on its own; only what a test is about needs writing out.
 */
import type { Expr, FlowInput } from "../../src/flow/schema.ts";

/** The same words in both languages: these tests are about structure, not text. */
export const TEXT = { ja: "x", en: "x" };

/** A question; an option named "unknown" is an "I don't know" one (confirmed with us). */
export function smallQuestion(id: string, options: string[], implied?: Array<{ when: Expr; value: string }>) {
  return {
    id,
    text: TEXT,
    options: options.map((o) => ({
      id: o,
      label: TEXT,
      ...(o === "unknown" ? { unknown: { confirm_with: "us" as const, text: TEXT } } : {}),
    })),
    ...(implied ? { implied } : {}),
  };
}

type OutcomeInput = FlowInput["outcomes"][number];

/** An outcome of route `id`, fee `none`, one condition and one step; `fields` replace any of them. */
export function smallOutcome(id: string, fields: Partial<OutcomeInput> = {}): OutcomeInput {
  return {
    id,
    route: id,
    sign: "go",
    title: TEXT,
    fee: "none",
    conditions: [{ id: "c", text: TEXT }],
    steps: [{ id: "s", text: TEXT }],
    ...fields,
  };
}

/** A flow around the given questions and outcomes, with one fee (`none`) and the given passages. */
export function smallFlow(
  id: string,
  questions: FlowInput["questions"],
  outcomes: FlowInput["outcomes"],
  passages: FlowInput["passages"] = {},
): FlowInput {
  return {
    id,
    version: 1,
    title: TEXT,
    tax: { rate: 0.1 },
    fees: { none: { amount: 0, label: TEXT } },
    passages,
    questions,
    outcomes,
  };
}
