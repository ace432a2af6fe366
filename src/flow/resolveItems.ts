import { type CompiledExpr, compileExpr, type Facts, indexFlow, YES } from "./evaluateExpr.ts";
import type { Citation, Flow } from "./schema.ts";

export type ItemGroup = "conditions" | "steps" | "notes";
export const ITEM_GROUPS: readonly ItemGroup[] = ["conditions", "steps", "notes"];

/** Per item of an outcome: the passage ids it cites at one result, or null when it does not apply there. */
export type ResolvedItems = Record<ItemGroup, Array<string[] | null>>;

interface CompiledItem {
  when?: CompiledExpr;
  citations: Array<{ id: string; when?: CompiledExpr }>;
}

/**
 * Compiles every item's `when` and every conditional citation once, and
 * returns the function that judges them on a result's facts. An item applies,
 * and a conditional citation is cited, only when its `when` is yes.
 */
export function makeItemResolver(flow: Flow): (outcome: number, facts: Facts) => ResolvedItems {
  const index = indexFlow(flow);
  const compileCitation = (c: Citation) =>
    typeof c === "string" ? { id: c } : { id: c.id, when: compileExpr(c.when, flow, index) };
  const compiled = flow.outcomes.map((outcome) => {
    const byGroup = {} as Record<ItemGroup, CompiledItem[]>;
    for (const group of ITEM_GROUPS)
      byGroup[group] = (outcome[group] ?? []).map((item) => ({
        ...(item.when !== undefined ? { when: compileExpr(item.when, flow, index) } : {}),
        citations: (item.passages ?? []).map(compileCitation),
      }));
    return byGroup;
  });
  const resolve = (items: CompiledItem[], facts: Facts) =>
    items.map((item) =>
      item.when === undefined || item.when(facts) === YES
        ? item.citations.filter((c) => c.when === undefined || c.when(facts) === YES).map((c) => c.id)
        : null,
    );
  return (outcome, facts) => {
    const items = compiled[outcome];
    if (!items) throw new Error(`no outcome ${outcome}`);
    return {
      conditions: resolve(items.conditions, facts),
      steps: resolve(items.steps, facts),
      notes: resolve(items.notes, facts),
    };
  };
}
