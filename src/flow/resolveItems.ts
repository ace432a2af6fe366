import { memoFor } from "../util/memo.ts";
import { type CompiledExpr, compileExpr, type Facts, indexFlow, must, YES } from "./evaluateExpr.ts";
import type { Citation, Flow } from "./schema.ts";

export type ItemGroup = "conditions" | "steps" | "notes";
export const ITEM_GROUPS: readonly ItemGroup[] = ["conditions", "steps", "notes"];

/** Per item of an outcome: the passage ids it cites at one result, or null when it does not apply there. */
export type ResolvedItems = Record<ItemGroup, Array<string[] | null>>;

interface CompiledCitation {
  id: string;
  when?: CompiledExpr;
  /** Question indexes: cited only where one of them is to be confirmed. */
  confirming?: number[];
}

interface CompiledItem {
  when?: CompiledExpr;
  citations: CompiledCitation[];
}

/**
 * Compiles every item's `when` and every conditional citation once, and
 * returns the function that judges them on a result's facts and its list of
 * questions to confirm. An item applies, and a conditional citation is cited,
 * only when its `when` is yes and, if it names questions it is `confirming`,
 * one of them is on that list.
 */
export function makeItemResolver(
  flow: Flow,
): (outcome: number, facts: Facts, confirm: readonly number[]) => ResolvedItems {
  const index = indexFlow(flow);
  const compileCitation = (c: Citation): CompiledCitation => {
    if (typeof c === "string") return { id: c };
    return {
      id: c.id,
      ...(c.when !== undefined ? { when: compileExpr(c.when, flow, index) } : {}),
      ...("confirming" in c
        ? { confirming: c.confirming.map((q) => must(index.questionIndex.get(q), `unknown question ${q}`)) }
        : {}),
    };
  };
  const cited = (c: CompiledCitation, facts: Facts, confirm: readonly number[]) =>
    (c.when === undefined || c.when(facts) === YES) &&
    (c.confirming === undefined || c.confirming.some((qi) => confirm.includes(qi)));
  const compiled = flow.outcomes.map((outcome) => {
    const byGroup = {} as Record<ItemGroup, CompiledItem[]>;
    for (const group of ITEM_GROUPS)
      byGroup[group] = (outcome[group] ?? []).map((item) => ({
        ...(item.when !== undefined ? { when: compileExpr(item.when, flow, index) } : {}),
        citations: (item.passages ?? []).map(compileCitation),
      }));
    return byGroup;
  });
  const resolve = (items: CompiledItem[], facts: Facts, confirm: readonly number[]) =>
    items.map((item) =>
      item.when === undefined || item.when(facts) === YES
        ? item.citations.filter((c) => cited(c, facts, confirm)).map((c) => c.id)
        : null,
    );
  return (outcome, facts, confirm) => {
    const items = compiled[outcome];
    if (!items) throw new Error(`no outcome ${outcome}`);
    return {
      conditions: resolve(items.conditions, facts, confirm),
      steps: resolve(items.steps, facts, confirm),
      notes: resolve(items.notes, facts, confirm),
    };
  };
}

type Resolver = ReturnType<typeof makeItemResolver>;
const resolvers = new WeakMap<Flow, Resolver>();
const resolvedByNode = new WeakMap<object, ResolvedItems>();

/**
 * What the items of one result cite, worked out once per result: the load's
 * check for uncited items and every later display of that result share it.
 */
export function itemsAt(
  flow: Flow,
  node: { outcome: number; facts: Facts; confirm: readonly number[] },
): ResolvedItems {
  return memoFor(resolvedByNode, node, () =>
    memoFor(resolvers, flow, () => makeItemResolver(flow))(node.outcome, node.facts, node.confirm),
  );
}
