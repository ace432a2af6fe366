import { initialTransition, transition } from "xstate";
import type { TreeNode } from "../flow/buildDecisionTree.ts";
import { answerEventType } from "../flow/compileMachine.ts";
import type { CompiledFlow } from "../flow/loadFlow.ts";
import { type Consultation, fail, type Result } from "./types.ts";

type Snapshot = ReturnType<typeof initialTransition<CompiledFlow["machine"]>>[0];

export interface Position {
  snapshot: Snapshot;
  node: TreeNode;
}

/** Checks a consultation belongs to this flow before anything reads its answers. */
export function checkFlow(compiled: CompiledFlow, consultation: Consultation): Result<true> {
  const { flow } = compiled;
  if (consultation.flowId !== flow.id || consultation.version !== flow.version) {
    return fail(
      "flow_mismatch",
      `this consultation was made with ${consultation.flowId} v${consultation.version}; the current flow is ${flow.id} v${flow.version}`,
    );
  }
  return { ok: true, value: true };
}

export function startPosition(compiled: CompiledFlow): Position {
  const [snapshot] = initialTransition(compiled.machine);
  return { snapshot, node: nodeOf(compiled, snapshot) };
}

/**
 * Feeds one answer to the machine. The machine decides: an answer it does not
 * accept in this state leaves the snapshot untouched, which we report as a
 * typed error instead of a silently unchanged consultation.
 */
export function step(
  compiled: CompiledFlow,
  at: Position,
  question: string,
  option: string,
): Result<Position> {
  const qi = compiled.questionIndex.get(question);
  if (qi === undefined) return fail("unknown_question", `unknown question "${question}"`);
  if (!compiled.flow.questions[qi]?.options.some((o) => o.id === option))
    return fail("unknown_option", `unknown option "${option}" for question "${question}"`);
  if (at.node.kind === "outcome") return fail("finished", "the consultation has already reached its result");
  const event = { type: answerEventType(question, option) };
  if (!at.snapshot.can(event)) {
    const asked = compiled.flow.questions[at.node.question]?.id;
    return fail(
      "not_asked",
      `question "${question}" is not being asked (the current question is "${asked}")`,
    );
  }
  const [snapshot] = transition(compiled.machine, at.snapshot, event);
  return { ok: true, value: { snapshot, node: nodeOf(compiled, snapshot) } };
}

/** Replays answers from the start: how any instance, at any time, recovers a consultation. */
export function replay(compiled: CompiledFlow, answers: Consultation["answers"]): Result<Position> {
  let at = startPosition(compiled);
  for (const [question, option] of answers) {
    const next = step(compiled, at, question, option);
    if (!next.ok) return next;
    at = next.value;
  }
  return { ok: true, value: at };
}

function nodeOf(compiled: CompiledFlow, snapshot: Snapshot): TreeNode {
  const id = Number(String(snapshot.value).slice(1));
  const node = compiled.tree.nodes[id];
  if (!node) throw new Error(`machine state ${String(snapshot.value)} has no tree node`);
  return node;
}
