import { z } from "zod";

/**
 * The flow file format. Every object is strict so that a typo in a key is an
 * error rather than a silently ignored line.
 */

const translation = (lang: string) =>
  z.string({
    error: (issue) =>
      issue.input === undefined ? `missing translation (${lang})` : `expected ${lang} text (a string)`,
  });

export const Text = z.strictObject({
  ja: translation("ja").min(1, "empty translation (ja)"),
  en: translation("en").min(1, "empty translation (en)"),
});
export type Text = z.infer<typeof Text>;

const Id = z.string().regex(/^[a-z][a-z0-9_]*$/, "ids are lower_snake_case (a-z, 0-9, _)");
const PassageId = z.string().regex(/^P[0-9]+$/, "passage ids look like P1, P2, …");

/**
 * A condition. Leaves compare one fact; `all` / `any` / `not` combine. Evaluated
 * three-valued (yes / no / unknown) so that "I don't know" answers carry through.
 */
export type Expr =
  | "yes"
  | "no"
  | "unknown"
  | { fact: string; is?: string; in?: string[]; not_in?: string[] }
  | { derived: string }
  | { all: Expr[] }
  | { any: Expr[] }
  | { not: Expr }
  | { unknown: Expr };

export const Expr: z.ZodType<Expr> = z.lazy(() =>
  z.union([
    z.enum(["yes", "no", "unknown"]),
    z
      .strictObject({
        fact: Id,
        is: z.string().optional(),
        in: z.array(z.string()).min(1).optional(),
        not_in: z.array(z.string()).min(1).optional(),
      })
      .refine(
        (leaf) => [leaf.is, leaf.in, leaf.not_in].filter((op) => op !== undefined).length <= 1,
        "use at most one of is / in / not_in",
      ),
    z.strictObject({ derived: Id }),
    z.strictObject({ all: z.array(Expr).min(1) }),
    z.strictObject({ any: z.array(Expr).min(1) }),
    z.strictObject({ not: Expr }),
    z.strictObject({ unknown: Expr }),
  ]),
);

export const Option = z.strictObject({
  id: Id,
  label: Text,
  /** Marks an "I don't know" option: what must be confirmed, and with whom. */
  unknown: z
    .strictObject({
      confirm_with: z.enum(["current_host", "new_host", "us"]),
      text: Text,
    })
    .optional(),
});
export type Option = z.infer<typeof Option>;

export const Question = z.strictObject({
  id: Id,
  text: Text,
  help: Text.optional(),
  options: z.array(Option).min(2, "a question needs at least two options"),
  /** Facts that follow from earlier answers: the question is then never asked. */
  implied: z.array(z.strictObject({ when: Expr, value: z.string() })).optional(),
});
export type Question = z.infer<typeof Question>;

const DerivedCase = z.strictObject({ when: Expr.optional(), value: Expr });

export const Fee = z.strictObject({
  /** JPY, tax excluded; null when the price list sets it (shown as "per the price list"). */
  amount: z.number().int().nonnegative().nullable(),
  label: Text,
  passages: z.array(PassageId).optional(),
});

const FeeRule = z.union([Id, z.strictObject({ by: Id, cases: z.record(Id, Id) })]);

/**
 * A passage an item cites: always; only at results where `when` is yes (one
 * condition can rest on P2 for one issuer and on P3 for another); or only
 * where one of the `confirming` questions is listed under "What to check"
 * (a needs_check result cites the passage behind each thing left to confirm).
 */
const Citation = z.union(
  [
    PassageId,
    z.strictObject({ id: PassageId, when: Expr }),
    z.strictObject({ id: PassageId, when: Expr.optional(), confirming: z.array(Id).min(1) }),
  ],
  {
    error:
      'a passage is cited as P1, as { id: P1, when: … } to cite it only where when is yes, or as { id: P1, confirming: [question, …] } to cite it only where one of those questions is under "What to check"',
  },
);
export type Citation = z.infer<typeof Citation>;

const Conditional = z.strictObject({
  id: Id,
  when: Expr.optional(),
  passages: z.array(Citation).optional(),
  text: Text,
});

export const Outcome = z.strictObject({
  id: Id,
  route: Id,
  /** The first outcome whose `when` is yes applies; an outcome without `when` is the fallback. */
  when: Expr.optional(),
  sign: z.enum(["go", "reissue", "check", "stop"]),
  title: Text,
  fee: FeeRule,
  conditions: z.array(Conditional).min(1, "an outcome cites at least one condition"),
  steps: z.array(Conditional).min(1, "an outcome lists at least one next step"),
  notes: z.array(Conditional).optional(),
});
export type Outcome = z.infer<typeof Outcome>;

export const Flow = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/, "a flow id is lower-case (a-z, 0-9, _ and -)"),
  version: z.number().int().positive(),
  title: Text,
  description: Text.optional(),
  tax: z.strictObject({
    rate: z.number().min(0).max(1),
    rounding: z.enum(["floor", "round", "ceil"]).default("floor"),
  }),
  fees: z.record(Id, Fee),
  passages: z.record(PassageId, Text),
  questions: z.array(Question).min(1),
  derived: z.record(Id, z.array(DerivedCase).min(1)).optional(),
  outcomes: z.array(Outcome).min(1),
});
export type Flow = z.infer<typeof Flow>;
export type FlowInput = z.input<typeof Flow>;
