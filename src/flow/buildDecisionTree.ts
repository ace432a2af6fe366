import { type CompiledExpr, compileExpr, type Facts, indexFlow, YES } from "./evaluateExpr.ts";
import type { ItemGroup } from "./resolveItems.ts";
import type { Flow } from "./schema.ts";

/**
 * Expands a flow into its decision tree by brute force over every consistent
 * combination of facts. This is where "ask only what can still change the
 * outcome" is decided — from the flow's rules, so editing a rule re-plans the
 * questions without touching code.
 *
 * A question is asked (in flow order) when it is neither answered nor implied
 * and some combination of facts agreeing with the answers so far has a
 * different (route, installer, fee) once only this answer — and what it
 * implies — changes.
 */

export interface QuestionNode {
  kind: "question";
  id: number;
  question: number;
  /** Child node id per option index. */
  children: number[];
  facts: Facts;
}

export interface OutcomeNode {
  kind: "outcome";
  id: number;
  outcome: number;
  /** The answer that chose the fee (e.g. installer), when the fee depends on one. */
  feeBy?: { question: number; option: number };
  fee: string;
  /** Questions answered "unknown" whose real answer could still change the result (see unknownsThatMatter). */
  confirm: number[];
  facts: Facts;
}

export type TreeNode = QuestionNode | OutcomeNode;

export type TreeProblem =
  | { kind: "dead_end"; answers: Array<[string, string]> }
  | { kind: "ambiguous"; answers: Array<[string, string]>; outcomes: string[] }
  | { kind: "unreachable_question"; question: number }
  | { kind: "outcome_never_reached"; outcome: number }
  | { kind: "too_large"; combinations: number }
  | { kind: "uncited"; outcome: number; group: ItemGroup; item: number; answers: Array<[string, string]> };

export interface DecisionTree {
  nodes: TreeNode[];
  problems: TreeProblem[];
}

/** Above this many fact combinations the brute force would be too slow for a start-up. */
export const MAX_COMBINATIONS = 5_000_000;

interface Prepared {
  flow: Flow;
  n: number;
  radix: number[];
  implied: Array<Array<{ when: CompiledExpr; value: number }>>;
  outcomeWhen: Array<CompiledExpr | undefined>;
  /** Memo of the outcome key per full combination (mixed-radix code). */
  keyCache: Int32Array;
  keys: string[];
  keyIds: Map<string, number>;
  keyInfo: Array<{ outcome: number; fee: string; feeBy?: { question: number; option: number } }>;
}

export function buildDecisionTree(flow: Flow): DecisionTree {
  const index = indexFlow(flow);
  const n = flow.questions.length;
  const radix: number[] = [];
  let combinations = 1;
  for (const q of flow.questions) {
    radix.push(combinations);
    combinations *= q.options.length;
  }
  if (combinations > MAX_COMBINATIONS) return { nodes: [], problems: [{ kind: "too_large", combinations }] };

  const prep: Prepared = {
    flow,
    n,
    radix,
    implied: flow.questions.map((q, qi) =>
      (q.implied ?? []).map((rule) => ({
        when: compileExpr(rule.when, flow, index),
        value: index.optionIndex[qi]?.get(rule.value) ?? -1,
      })),
    ),
    outcomeWhen: flow.outcomes.map((o) =>
      o.when === undefined ? undefined : compileExpr(o.when, flow, index),
    ),
    keyCache: new Int32Array(combinations).fill(-2),
    keys: [],
    keyIds: new Map(),
    keyInfo: [],
  };

  const nodes: TreeNode[] = [];
  const problems: TreeProblem[] = [];
  const reportedDeadEnds = new Set<number>();
  const asked = new Set<number>();
  const reached = new Set<number>();

  const grow = (facts: Facts, answered: Uint8Array): number => {
    const id = nodes.length;
    const next = nextQuestion(prep, facts, answered);
    if (next >= 0) {
      asked.add(next);
      const node: QuestionNode = { kind: "question", id, question: next, children: [], facts };
      nodes.push(node);
      const options = flow.questions[next]?.options.length ?? 0;
      for (let option = 0; option < options; option++) {
        const childFacts = facts.slice();
        childFacts[next] = option;
        const childAnswered = answered.slice();
        childAnswered[next] = 1;
        settle(prep, childFacts, childAnswered);
        node.children.push(grow(childFacts, childAnswered));
      }
      return id;
    }
    // No question can change the result any more: every completion must agree.
    const keysSeen = new Set<number>();
    forEachCompletion(prep, facts, (full) => {
      const key = outcomeKey(prep, full);
      if (key < 0 && !reportedDeadEnds.has(id)) {
        reportedDeadEnds.add(id);
        problems.push({ kind: "dead_end", answers: describeFacts(flow, full) });
      }
      keysSeen.add(key);
      return keysSeen.size > 1;
    });
    const [key = -1] = [...keysSeen];
    if (keysSeen.size > 1) {
      problems.push({
        kind: "ambiguous",
        answers: describeFacts(flow, facts),
        outcomes: [...keysSeen].map((k) => prep.keys[k] ?? "none"),
      });
    }
    const info = prep.keyInfo[key];
    if (info) reached.add(info.outcome);
    const confirm = unknownsThatMatter(prep, facts, answered);
    nodes.push({
      kind: "outcome",
      id,
      outcome: info?.outcome ?? -1,
      fee: info?.fee ?? "",
      ...(info?.feeBy ? { feeBy: info.feeBy } : {}),
      confirm,
      facts,
    });
    return id;
  };

  const rootFacts = new Int8Array(n).fill(-1);
  const rootAnswered = new Uint8Array(n);
  settle(prep, rootFacts, rootAnswered);
  grow(rootFacts, rootAnswered);

  flow.questions.forEach((_, qi) => {
    if (!asked.has(qi)) problems.push({ kind: "unreachable_question", question: qi });
  });
  flow.outcomes.forEach((_, oi) => {
    if (!reached.has(oi)) problems.push({ kind: "outcome_never_reached", outcome: oi });
  });
  return { nodes, problems };
}

/** Fills in every fact implied by what is known, in question order. */
function settle(prep: Prepared, facts: Facts, answered: Uint8Array): void {
  for (let qi = 0; qi < prep.n; qi++) {
    if (answered[qi]) continue;
    facts[qi] = impliedValue(prep, qi, facts);
  }
}

function impliedValue(prep: Prepared, qi: number, facts: Facts): number {
  for (const rule of prep.implied[qi] ?? []) {
    if (rule.when(facts) === YES) return rule.value;
  }
  return -1;
}

function nextQuestion(prep: Prepared, facts: Facts, answered: Uint8Array): number {
  for (let qi = 0; qi < prep.n; qi++) {
    if (answered[qi] || facts[qi] !== -1) continue;
    if (canChangeOutcome(prep, facts, answered, qi)) return qi;
  }
  return -1;
}

/**
 * Calls `visit` with every consistent full combination that agrees with
 * `facts`; implied facts take their implied value. Stops when visit says so.
 */
function forEachCompletion(prep: Prepared, facts: Facts, visit: (full: Facts) => boolean): void {
  const work = facts.slice();
  const walk = (qi: number): boolean => {
    if (qi === prep.n) return visit(work);
    if (facts[qi] !== -1) {
      work[qi] = facts[qi] as number;
      return walk(qi + 1);
    }
    const implied = impliedValue(prep, qi, work);
    if (implied >= 0) {
      work[qi] = implied;
      const stop = walk(qi + 1);
      work[qi] = -1;
      return stop;
    }
    const options = prep.flow.questions[qi]?.options.length ?? 0;
    for (let option = 0; option < options; option++) {
      work[qi] = option;
      if (walk(qi + 1)) {
        work[qi] = -1;
        return true;
      }
    }
    work[qi] = -1;
    return false;
  };
  walk(0);
}

/**
 * The questions answered "unknown" whose real answer can still change the
 * result. Each is tested with the other unknowns free, not fixed at
 * "unknown": one unknown can hide another (moving the files needs both the
 * key from the current host and the new host's install method, so with
 * either still unknown the other alone changes nothing), and the user must
 * find out both.
 */
function unknownsThatMatter(prep: Prepared, facts: Facts, answered: Uint8Array): number[] {
  const unknowns: number[] = [];
  for (let qi = 0; qi < prep.n; qi++) {
    const option = facts[qi] as number;
    if (answered[qi] && option >= 0 && prep.flow.questions[qi]?.options[option]?.unknown) unknowns.push(qi);
  }
  return unknowns.filter((qi) => {
    // The others range over their options but stay answered, so a change of
    // `qi` that contradicts what they turn out to be is not counted.
    const open = facts.slice();
    for (const other of unknowns) if (other !== qi) open[other] = -1;
    return canChangeOutcome(prep, open, answered, qi, (full) => answersAgree(prep, full, answered));
  });
}

/**
 * Whether the answers fit a combination: none is contradicted by what the
 * others imply there (csr_only, say, implies a CSR can be made, so it cannot
 * be how an "unknown" install method turns out next to destination_csr = no).
 */
function answersAgree(prep: Prepared, full: Facts, answered: Uint8Array): boolean {
  for (let qi = 0; qi < prep.n; qi++) {
    if (!answered[qi]) continue;
    const implied = impliedValue(prep, qi, full);
    if (implied >= 0 && implied !== full[qi]) return false;
  }
  return true;
}

/**
 * Whether changing only question `qi` (and what follows from it) can change
 * the result, in a combination `accept` admits (default: any).
 */
function canChangeOutcome(
  prep: Prepared,
  facts: Facts,
  answered: Uint8Array,
  qi: number,
  accept: (full: Facts) => boolean = () => true,
): boolean {
  const options = prep.flow.questions[qi]?.options.length ?? 0;
  let found = false;
  forEachCompletion(prep, facts, (full) => {
    if (!accept(full)) return false;
    const before = outcomeKey(prep, full);
    for (let option = 0; option < options; option++) {
      if (option === full[qi]) continue;
      const flipped = full.slice();
      flipped[qi] = option;
      if (!reimply(prep, flipped, full, answered, qi)) continue;
      if (!sameResult(prep, outcomeKey(prep, flipped), before)) {
        found = true;
        return true;
      }
    }
    return false;
  });
  return found;
}

/** Re-derives the facts after `from` that follow from a changed answer; false if an answer contradicts them. */
function reimply(
  prep: Prepared,
  flipped: Facts,
  original: Facts,
  answered: Uint8Array,
  from: number,
): boolean {
  for (let r = from + 1; r < prep.n; r++) {
    const implied = impliedValue(prep, r, flipped);
    if (answered[r]) {
      if (implied >= 0 && implied !== flipped[r]) return false;
      continue;
    }
    if (implied >= 0) flipped[r] = implied;
    else if (flipped[r] === -1) flipped[r] = original[r] as number;
  }
  return true;
}

/** Results are compared as the rules file does: by (route, installer, fee). */
function sameResult(prep: Prepared, a: number, b: number): boolean {
  return a === b || (a >= 0 && b >= 0 && prep.keys[a] === prep.keys[b]);
}

function outcomeKey(prep: Prepared, full: Facts): number {
  let code = 0;
  for (let qi = 0; qi < prep.n; qi++) code += (full[qi] as number) * (prep.radix[qi] as number);
  const cached = prep.keyCache[code] as number;
  if (cached !== -2) return cached;
  let key = -1;
  for (let oi = 0; oi < prep.flow.outcomes.length; oi++) {
    const when = prep.outcomeWhen[oi];
    if (when !== undefined && when(full) !== YES) continue;
    const outcome = prep.flow.outcomes[oi];
    if (!outcome) break;
    let fee: string;
    let feeBy: { question: number; option: number } | undefined;
    let installer = "";
    if (typeof outcome.fee === "string") fee = outcome.fee;
    else {
      const by = outcome.fee.by;
      const question = prep.flow.questions.findIndex((q) => q.id === by);
      const option = full[question] as number;
      installer = prep.flow.questions[question]?.options[option]?.id ?? "";
      fee = outcome.fee.cases[installer] ?? "";
      feeBy = { question, option };
    }
    const text = `${outcome.route}|${installer}|${fee}`;
    // Outcome ids can share a (route, installer, fee); keep them apart for reporting.
    const name = `${text}|${outcome.id}`;
    let id = prep.keyIds.get(name);
    if (id === undefined) {
      id = prep.keys.length;
      prep.keyIds.set(name, id);
      prep.keys.push(text);
      prep.keyInfo.push({ outcome: oi, fee, ...(feeBy ? { feeBy } : {}) });
    }
    key = id;
    break;
  }
  prep.keyCache[code] = key;
  return key;
}

/** The known facts as (question id, option id) pairs, for messages. */
export function describeFacts(flow: Flow, facts: Facts): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  flow.questions.forEach((q, qi) => {
    const option = facts[qi] as number;
    if (option >= 0) out.push([q.id, q.options[option]?.id ?? "?"]);
  });
  return out;
}
