import { readFileSync } from "node:fs";
import { describeZodIssues } from "../yaml/describeZodIssues.ts";
import { type PositionedError, parseYaml } from "../yaml/parseYaml.ts";
import { buildDecisionTree, type DecisionTree, type TreeProblem } from "./buildDecisionTree.ts";
import { checkReferences, type FlowIssue } from "./checkReferences.ts";
import { compileMachine, type FlowMachine } from "./compileMachine.ts";
import { findUncitedItems } from "./findUncitedItems.ts";
import { Flow } from "./schema.ts";

export type FlowError = PositionedError;

export interface CompiledFlow {
  flow: Flow;
  tree: DecisionTree;
  machine: FlowMachine;
  questionIndex: Map<string, number>;
}

export type LoadResult = { ok: true; compiled: CompiledFlow } | { ok: false; errors: FlowError[] };

/** Reads, validates, checks and compiles a flow file. Never throws for bad content. */
export function loadFlowFile(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return {
      ok: false,
      errors: [{ file, line: 1, col: 1, path: "", message: `cannot read file: ${(error as Error).message}` }],
    };
  }
  return compileFlowText(text, file);
}

/** The pure part of loading: text in, compiled flow or every positioned error out. */
export function compileFlowText(text: string, file: string): LoadResult {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return parsed;
  const { locate } = parsed;
  const checked = Flow.safeParse(parsed.data, { reportInput: true });
  const issues: FlowIssue[] = checked.success ? [] : describeZodIssues(checked.error);
  // Cross-references are checked even when the schema failed, so one run reports everything.
  const data = checked.success ? checked.data : parsed.data;
  if (typeof data === "object" && data !== null) issues.push(...checkReferences(data as Flow));
  if (!checked.success || issues.length > 0) {
    return { ok: false, errors: sortErrors(dedupe(issues).map((i) => locate(i.path, i.message, i.pointAt))) };
  }
  const flow = checked.data;

  const tree = buildDecisionTree(flow);
  // Citations are judged per result, so only a sound tree can be checked for gaps.
  const problems = tree.problems.length > 0 ? tree.problems : findUncitedItems(flow, tree);
  if (problems.length > 0) {
    return {
      ok: false,
      errors: problems.map((p) => describeProblem(flow, p)).map((i) => locate(i.path, i.message)),
    };
  }
  return {
    ok: true,
    compiled: {
      flow,
      tree,
      machine: compileMachine(flow, tree),
      questionIndex: new Map(flow.questions.map((q, i) => [q.id, i])),
    },
  };
}

function dedupe(issues: FlowIssue[]): FlowIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path.join(".")} ${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sortErrors(errors: FlowError[]): FlowError[] {
  return errors.sort((a, b) => a.line - b.line || a.col - b.col);
}

function describeProblem(flow: Flow, problem: TreeProblem): FlowIssue {
  const answers = (list: Array<[string, string]>) => list.map(([q, o]) => `${q}=${o}`).join(", ") || "(none)";
  switch (problem.kind) {
    case "dead_end":
      return { path: ["outcomes"], message: `dead end: no outcome applies to ${answers(problem.answers)}` };
    case "ambiguous":
      return {
        path: ["outcomes"],
        message: `after ${answers(problem.answers)} the outcome is still open (${problem.outcomes.join(" / ")}) but no question can decide it`,
      };
    case "unreachable_question":
      return {
        path: ["questions", problem.question],
        message: `unreachable question "${flow.questions[problem.question]?.id}": no path asks it (it never changes the outcome, or is always implied)`,
      };
    case "outcome_never_reached":
      return {
        path: ["outcomes", problem.outcome],
        message: `outcome "${flow.outcomes[problem.outcome]?.id}" is never reached (an earlier outcome always applies first)`,
      };
    case "uncited": {
      const outcome = flow.outcomes[problem.outcome];
      const item = outcome?.[problem.group]?.[problem.item];
      return {
        path: ["outcomes", problem.outcome, problem.group, problem.item, "passages"],
        message: `"${item?.id}" of outcome "${outcome?.id}" cites none of its passages at the result for ${answers(problem.answers)}: give every result at least one`,
      };
    }
    case "too_large":
      return {
        path: ["questions"],
        message: `too many combinations of answers to check (${problem.combinations})`,
      };
  }
}
