import { z } from "zod";

// YAML 1.1 tools read bare yes/no as booleans; accept them as the option ids they mean.
const OptionId = z.union([z.string().min(1), z.boolean().transform((b) => (b ? "yes" : "no"))]);

export const Expect = z.strictObject({
  route: z.string().min(1),
  fee: z.string().min(1).optional(),
  installer: z.string().min(1).optional(),
  asked: z.array(z.string()).optional(),
  reasons: z.array(z.string()).optional(),
});
export type Expect = z.infer<typeof Expect>;

const Next = z.string().min(1).optional();
const Step = z.union([
  z.enum(["back", "restart"]),
  z.strictObject({
    answer: z
      .record(z.string(), OptionId)
      .refine((a) => Object.keys(a).length === 1, "answer exactly one question"),
    next: Next,
    error: z.string().optional(),
  }),
  z.strictObject({ back: z.literal(true), next: Next, error: z.string().optional() }),
  z.strictObject({ restart: z.literal(true), next: Next }),
  z.strictObject({ change: z.string(), next: Next, error: z.string().optional() }),
  z.strictObject({ lang: z.enum(["ja", "en"]), next: Next }),
]);
export type TranscriptStep = z.infer<typeof Step>;

const Lang = z.enum(["ja", "en"]).optional();

export const AnswerMapCase = z.strictObject({
  name: z.string().min(1),
  lang: Lang,
  answers: z.record(z.string(), OptionId),
  expect: Expect,
});
export type AnswerMapCase = z.infer<typeof AnswerMapCase>;

export const TranscriptCase = z.strictObject({
  name: z.string().min(1),
  lang: Lang,
  steps: z.array(Step).min(1),
  expect: Expect.optional(),
});
export type TranscriptCase = z.infer<typeof TranscriptCase>;

export const ReplayCase = z.union([AnswerMapCase, TranscriptCase]);
export type ReplayCase = z.infer<typeof ReplayCase>;

export const CaseFile = z.union([z.strictObject({ cases: z.array(z.unknown()).min(1) }), z.unknown()]);
