import type { IssuePath, PointAt } from "../yaml/parseYaml.ts";
import { ITEM_GROUPS } from "./resolveItems.ts";
import type { Citation, Expr, Flow } from "./schema.ts";

export type { IssuePath };
export interface FlowIssue {
  path: IssuePath;
  message: string;
  pointAt?: PointAt;
}

const TRUTH_OPTIONS = new Set(["yes", "no", "unknown"]);

/**
 * Second pass after the schema: ids are unique and every reference points at
 * something that exists. Returns every problem at once.
 */
export function checkReferences(flow: Flow): FlowIssue[] {
  const issues: FlowIssue[] = [];
  // Also run on data that failed the schema, so every error is reported at once:
  // a malformed part is skipped (the schema already reported it), the rest is checked.
  const guard = (check: () => void) => {
    try {
      check();
    } catch {
      // skipped: malformed, reported by the schema
    }
  };
  const questionIds = new Map<string, number>();
  const derivedNames = new Set(Object.keys(flow.derived ?? {}));

  guardEach(flow.questions, guard, (q, qi) => {
    if (questionIds.has(q.id))
      issues.push({ path: ["questions", qi, "id"], message: `duplicate question id "${q.id}"` });
    else questionIds.set(q.id, qi);
    const seen = new Set<string>();
    q.options.forEach((o, oi) => {
      if (seen.has(o.id))
        issues.push({
          path: ["questions", qi, "options", oi, "id"],
          message: `duplicate option id "${o.id}"`,
        });
      seen.add(o.id);
    });
  });

  const checkExpr = (expr: Expr, path: IssuePath, before?: number): void => {
    if (typeof expr === "string") return;
    if ("fact" in expr) {
      const qi = questionIds.get(expr.fact);
      if (qi === undefined) {
        issues.push({ path: [...path, "fact"], message: `unknown question "${expr.fact}"` });
        return;
      }
      if (before !== undefined && qi >= before)
        issues.push({
          path: [...path, "fact"],
          message: `an implied fact can only depend on questions listed before it, not "${expr.fact}"`,
        });
      const question = flow.questions[qi];
      const optionIds = new Set(question?.options.map((o) => o.id));
      const listed = expr.is !== undefined ? [expr.is] : (expr.in ?? expr.not_in);
      if (listed === undefined) {
        const bad = [...optionIds].filter((id) => !TRUTH_OPTIONS.has(id));
        if (bad.length > 0 || !optionIds.has("yes") || !optionIds.has("no"))
          issues.push({
            path: [...path, "fact"],
            message: `"${expr.fact}" is not a yes/no question: compare it with is / in / not_in`,
          });
        return;
      }
      const key = expr.is !== undefined ? "is" : expr.in !== undefined ? "in" : "not_in";
      listed.forEach((id, i) => {
        if (!optionIds.has(id))
          issues.push({
            path: key === "is" ? [...path, key] : [...path, key, i],
            message: `unknown option "${id}" of question "${expr.fact}"`,
          });
      });
      return;
    }
    if ("derived" in expr) {
      if (!derivedNames.has(expr.derived))
        issues.push({ path: [...path, "derived"], message: `unknown derived fact "${expr.derived}"` });
      if (before !== undefined)
        issues.push({
          path: [...path, "derived"],
          message: "an implied fact cannot depend on a derived fact",
        });
      return;
    }
    if ("all" in expr) for (const [i, e] of expr.all.entries()) checkExpr(e, [...path, "all", i], before);
    else if ("any" in expr)
      for (const [i, e] of expr.any.entries()) checkExpr(e, [...path, "any", i], before);
    else if ("not" in expr) checkExpr(expr.not, [...path, "not"], before);
    else checkExpr(expr.unknown, [...path, "unknown"], before);
  };

  guardEach(flow.questions, guard, (q, qi) => {
    q.implied?.forEach((rule, ri) => {
      checkExpr(rule.when, ["questions", qi, "implied", ri, "when"], qi);
      if (!q.options.some((o) => o.id === rule.value))
        issues.push({
          path: ["questions", qi, "implied", ri, "value"],
          message: `unknown option "${rule.value}" of question "${q.id}"`,
        });
    });
  });

  for (const [name, cases] of Object.entries(flow.derived ?? {})) {
    guard(() => {
      cases.forEach((c, ci) => {
        if (c.when !== undefined) checkExpr(c.when, ["derived", name, ci, "when"]);
        checkExpr(c.value, ["derived", name, ci, "value"]);
      });
      const last = cases.length - 1;
      if (cases[last]?.when !== undefined)
        issues.push({
          path: ["derived", name, last],
          message: `the last case of "${name}" must have no "when" (the value otherwise)`,
        });
      const cycle = findCycle(flow, name);
      if (cycle)
        issues.push({ path: ["derived", name], message: `derived facts refer to each other: ${cycle}` });
    });
  }

  const passages = new Set(Object.keys(flow.passages ?? {}));
  const checkPassage = (id: string, path: IssuePath) => {
    if (!passages.has(id)) issues.push({ path, message: `unknown passage "${id}"` });
  };
  const checkPassages = (list: string[] | undefined, path: IssuePath) =>
    list?.forEach((p, i) => {
      checkPassage(p, [...path, i]);
    });
  /** A question a citation is `confirming` can only be under "What to check" with an "I don't know" option. */
  const checkConfirming = (question: string, path: IssuePath) => {
    const qi = questionIds.get(question);
    if (qi === undefined) issues.push({ path, message: `unknown question "${question}"` });
    else if (!flow.questions[qi]?.options.some((option) => option.unknown !== undefined))
      issues.push({
        path,
        message: `"${question}" has no "I don't know" option, so it is never under "What to check"`,
      });
  };
  const checkCitation = (citation: Citation, path: IssuePath) => {
    if (typeof citation === "string") return checkPassage(citation, path);
    checkPassage(citation.id, [...path, "id"]);
    if (citation.when !== undefined) checkExpr(citation.when, [...path, "when"]);
    if ("confirming" in citation)
      citation.confirming.forEach((question, ci) => {
        checkConfirming(question, [...path, "confirming", ci]);
      });
  };
  const fees = flow.fees ?? {};
  for (const [code, fee] of Object.entries(fees))
    guard(() => checkPassages(fee.passages, ["fees", code, "passages"]));

  const outcomeIds = new Set<string>();
  guardEach(flow.outcomes, guard, (o, oi) => {
    const at = (...rest: IssuePath): IssuePath => ["outcomes", oi, ...rest];
    if (outcomeIds.has(o.id)) issues.push({ path: at("id"), message: `duplicate outcome id "${o.id}"` });
    outcomeIds.add(o.id);
    if (o.when !== undefined) checkExpr(o.when, at("when"));
    else if (oi !== flow.outcomes.length - 1)
      issues.push({
        path: at(),
        message: `only the last outcome may have no "when"; "${o.id}" hides the rest`,
      });
    if (typeof o.fee === "string") {
      if (!(o.fee in fees)) issues.push({ path: at("fee"), message: `unknown fee "${o.fee}"` });
    } else {
      const qi = questionIds.get(o.fee.by);
      if (qi === undefined) issues.push({ path: at("fee", "by"), message: `unknown question "${o.fee.by}"` });
      else {
        const options = flow.questions[qi]?.options ?? [];
        for (const option of options)
          if (!(option.id in o.fee.cases))
            issues.push({ path: at("fee", "cases"), message: `no fee for "${o.fee.by}" = "${option.id}"` });
        for (const [option, code] of Object.entries(o.fee.cases)) {
          if (!options.some((x) => x.id === option))
            issues.push({
              path: at("fee", "cases", option),
              message: `unknown option "${option}" of "${o.fee.by}"`,
            });
          if (!(code in fees))
            issues.push({ path: at("fee", "cases", option), message: `unknown fee "${code}"` });
        }
      }
    }
    for (const group of ITEM_GROUPS) {
      const seen = new Set<string>();
      o[group]?.forEach((item, ii) => {
        if (seen.has(item.id))
          issues.push({
            path: at(group, ii, "id"),
            message: `duplicate ${group} id "${item.id}" in "${o.id}"`,
          });
        seen.add(item.id);
        if (item.when !== undefined) checkExpr(item.when, at(group, ii, "when"));
        item.passages?.forEach((citation, pi) => {
          checkCitation(citation, at(group, ii, "passages", pi));
        });
      });
    }
  });
  return issues;
}

function guardEach<T>(
  list: T[] | undefined,
  guard: (check: () => void) => void,
  check: (item: T, i: number) => void,
) {
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    guard(() => check(item, i));
  });
}

function findCycle(flow: Flow, start: string): string | undefined {
  const visit = (name: string, trail: string[]): string | undefined => {
    if (trail.includes(name)) return [...trail, name].join(" → ");
    for (const c of flow.derived?.[name] ?? []) {
      for (const ref of derivedRefs(c.when).concat(derivedRefs(c.value))) {
        if (ref === start || trail.includes(ref)) return [...trail, name, ref].join(" → ");
        const found = visit(ref, [...trail, name]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return visit(start, []);
}

function derivedRefs(expr: Expr | undefined): string[] {
  if (expr === undefined || typeof expr === "string") return [];
  if ("derived" in expr) return [expr.derived];
  if ("all" in expr) return expr.all.flatMap(derivedRefs);
  if ("any" in expr) return expr.any.flatMap(derivedRefs);
  if ("not" in expr) return derivedRefs(expr.not);
  if ("unknown" in expr) return derivedRefs(expr.unknown);
  return [];
}
