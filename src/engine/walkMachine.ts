import { initialTransition, transition } from "xstate";
import type { TreeNode } from "../flow/buildDecisionTree.ts";
import { answerEventType } from "../flow/compileMachine.ts";
import type { CompiledFlow } from "../flow/loadFlow.ts";
import { memoFor } from "../util/memo.ts";
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

const starts = new WeakMap<CompiledFlow, Position>();

/** The machine's initial position: one object per flow, so the transitions memoised from it are shared. */
export function startPosition(compiled: CompiledFlow): Position {
  return memoFor(starts, compiled, () => {
    const [snapshot] = initialTransition(compiled.machine);
    return { snapshot, node: nodeOf(compiled, snapshot) };
  });
}

// Each position's accepted answers, memoised: the machine is deterministic, so
// the same position and event always give the same next position.
const transitions = new WeakMap<Position, Map<string, Position>>();

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
  const type = answerEventType(question, option);
  const seen = memoFor(transitions, at, () => new Map<string, Position>());
  const known = seen.get(type);
  if (known) return { ok: true, value: known };
  const event = { type };
  if (!at.snapshot.can(event)) {
    const asked = compiled.flow.questions[at.node.question]?.id;
    return fail(
      "not_asked",
      `question "${question}" is not being asked (the current question is "${asked}")`,
    );
  }
  const [snapshot] = transition(compiled.machine, at.snapshot, event);
  const next = { snapshot, node: nodeOf(compiled, snapshot) };
  seen.set(type, next);
  return { ok: true, value: next };
}

/**
 * Replays answers from the start: how any instance, at any time, recovers a
 * consultation. Each step after the first visit is a memoised lookup (see
 * `transitions`); a flow has one position per tree node, so memory is bounded.
 */
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
