import { assign, setup } from "xstate";
import type { DecisionTree } from "./buildDecisionTree.ts";
import type { Flow } from "./schema.ts";

/** The event a button press becomes; the same string is the Slack action_id. */
export function answerEventType(question: string, option: string): string {
  return `answer:${question}:${option}`;
}

export function stateKey(nodeId: number): string {
  return `n${nodeId}`;
}

export interface MachineContext {
  answers: Record<string, string>;
}

/**
 * Compiles the decision tree into an XState machine: one state per tree node,
 * one transition per option. The machine is what decides; the engine only
 * feeds it events through the pure `initialTransition` / `transition`.
 */
export function compileMachine(flow: Flow, tree: DecisionTree) {
  type StateConfig = {
    type?: "final";
    meta: { question?: string; outcome?: string };
    on?: Record<
      string,
      { target: string; actions: { type: "record"; params: { question: string; option: string } } }
    >;
  };
  const states: Record<string, StateConfig> = {};
  for (const node of tree.nodes) {
    if (node.kind === "question") {
      const question = flow.questions[node.question];
      if (!question) continue;
      const on: NonNullable<StateConfig["on"]> = {};
      question.options.forEach((option, oi) => {
        on[answerEventType(question.id, option.id)] = {
          target: stateKey(node.children[oi] as number),
          actions: { type: "record" as const, params: { question: question.id, option: option.id } },
        };
      });
      states[stateKey(node.id)] = { meta: { question: question.id }, on };
    } else {
      states[stateKey(node.id)] = { type: "final", meta: { outcome: flow.outcomes[node.outcome]?.id ?? "" } };
    }
  }
  return setup({
    types: {
      context: {} as MachineContext,
      events: {} as { type: string },
    },
    actions: {
      record: assign(({ context }, params: { question: string; option: string }) => ({
        answers: { ...context.answers, [params.question]: params.option },
      })),
    },
  }).createMachine({
    id: flow.id,
    initial: stateKey(0),
    context: { answers: {} },
    // The generated config is data-driven, so its literal types cannot be inferred.
    states: states as never,
  });
}

export type FlowMachine = ReturnType<typeof compileMachine>;
