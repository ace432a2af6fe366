import type { Expr, Flow } from "./schema.ts";

/** Three-valued truth: the FAQ's "I don't know" answers make a plain boolean lie. */
export const NO = 0;
export const YES = 1;
export const UNKNOWN = 2;
export type Truth = typeof NO | typeof YES | typeof UNKNOWN;

/** Facts by question index: the option index chosen or implied, or -1 when not (yet) known. */
export type Facts = Int8Array;
export type CompiledExpr = (facts: Facts) => Truth;

export function and3(values: Truth[]): Truth {
  let result: Truth = YES;
  for (const v of values) {
    if (v === NO) return NO;
    if (v === UNKNOWN) result = UNKNOWN;
  }
  return result;
}

export function or3(values: Truth[]): Truth {
  let result: Truth = NO;
  for (const v of values) {
    if (v === YES) return YES;
    if (v === UNKNOWN) result = UNKNOWN;
  }
  return result;
}

/** Lookup tables a compiled expression needs; built once per flow. */
export interface ExprIndex {
  questionIndex: Map<string, number>;
  optionIndex: Array<Map<string, number>>;
}

export function indexFlow(flow: Flow): ExprIndex {
  return {
    questionIndex: new Map(flow.questions.map((q, i) => [q.id, i])),
    optionIndex: flow.questions.map((q) => new Map(q.options.map((o, i) => [o.id, i]))),
  };
}

/**
 * Turns an expression into a closure over the facts array. References are
 * assumed valid (checkReferences runs first); a bad one throws, which the
 * loader never lets happen.
 */
export function compileExpr(
  expr: Expr,
  flow: Flow,
  index: ExprIndex,
  derivedStack: string[] = [],
): CompiledExpr {
  if (expr === "yes") return () => YES;
  if (expr === "no") return () => NO;
  if (expr === "unknown") return () => UNKNOWN;
  if ("fact" in expr) {
    const qi = must(index.questionIndex.get(expr.fact), `unknown fact ${expr.fact}`);
    const options = must(index.optionIndex[qi], "option index");
    if (expr.is === undefined && expr.in === undefined && expr.not_in === undefined) {
      const yes = options.get("yes");
      const no = options.get("no");
      return (facts) => {
        const v = facts[qi];
        if (v === yes) return YES;
        if (v === no) return NO;
        return UNKNOWN;
      };
    }
    const listed = expr.is !== undefined ? [expr.is] : (expr.in ?? expr.not_in ?? []);
    const set = new Set(listed.map((id) => must(options.get(id), `unknown option ${expr.fact}.${id}`)));
    const negate = expr.not_in !== undefined;
    // A comparison is crisp: a fact that is not known simply does not match.
    return (facts) => {
      const v = facts[qi] as number;
      if (v < 0) return NO;
      return set.has(v) !== negate ? YES : NO;
    };
  }
  if ("derived" in expr) {
    if (derivedStack.includes(expr.derived)) throw new Error(`derived fact ${expr.derived} refers to itself`);
    const cases = must(flow.derived?.[expr.derived], `unknown derived fact ${expr.derived}`);
    const stack = [...derivedStack, expr.derived];
    const compiled = cases.map((c) => ({
      when: c.when === undefined ? undefined : compileExpr(c.when, flow, index, stack),
      value: compileExpr(c.value, flow, index, stack),
    }));
    return (facts) => {
      for (const c of compiled) {
        if (c.when === undefined || c.when(facts) === YES) return c.value(facts);
      }
      return UNKNOWN;
    };
  }
  if ("all" in expr) {
    const parts = expr.all.map((e) => compileExpr(e, flow, index, derivedStack));
    return (facts) => and3(parts.map((p) => p(facts)));
  }
  if ("any" in expr) {
    const parts = expr.any.map((e) => compileExpr(e, flow, index, derivedStack));
    return (facts) => or3(parts.map((p) => p(facts)));
  }
  if ("not" in expr) {
    const inner = compileExpr(expr.not, flow, index, derivedStack);
    return (facts) => {
      const v = inner(facts);
      return v === UNKNOWN ? UNKNOWN : v === YES ? NO : YES;
    };
  }
  const inner = compileExpr(expr.unknown, flow, index, derivedStack);
  return (facts) => (inner(facts) === UNKNOWN ? YES : NO);
}

/** References are checked before anything is compiled; a bad one is a bug. */
export function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(what);
  return value;
}
