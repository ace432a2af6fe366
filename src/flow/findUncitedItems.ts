import { type DecisionTree, describeFacts, type TreeProblem } from "./buildDecisionTree.ts";
import { ITEM_GROUPS, itemsAt } from "./resolveItems.ts";
import type { Flow } from "./schema.ts";

/**
 * Items that list passages but, at some reachable result, cite none of them:
 * their conditional citations leave a gap, and the answer would state a
 * condition without its source. One problem per item, at its first such result.
 */
export function findUncitedItems(flow: Flow, tree: DecisionTree): TreeProblem[] {
  const problems: TreeProblem[] = [];
  const reported = new Set<string>();
  for (const node of tree.nodes) {
    if (node.kind !== "outcome") continue;
    const outcome = flow.outcomes[node.outcome];
    const resolved = itemsAt(flow, node);
    for (const group of ITEM_GROUPS)
      resolved[group].forEach((cited, item) => {
        const key = `${node.outcome}/${group}/${item}`;
        if (cited === null || cited.length > 0 || reported.has(key)) return;
        if ((outcome?.[group]?.[item]?.passages ?? []).length === 0) return;
        reported.add(key);
        problems.push({
          kind: "uncited",
          outcome: node.outcome,
          group,
          item,
          answers: describeFacts(flow, node.facts),
        });
      });
  }
  return problems;
}
