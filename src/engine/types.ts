export type Lang = "ja" | "en";
export const LANGS: readonly Lang[] = ["ja", "en"];

/** Everything needed to resume a consultation: small enough to ride in a Slack button. */
export interface Consultation {
  flowId: string;
  version: number;
  lang: Lang;
  /** The answers on the current path, in the order they were asked. */
  answers: Array<[question: string, option: string]>;
  /** While an earlier answer is being changed: the later answers, reused where they still apply. */
  kept?: Record<string, string>;
}

export interface AnswerSummary {
  question: string;
  questionText: string;
  option: string;
  optionLabel: string;
}

export interface QuestionStep {
  kind: "question";
  question: {
    id: string;
    text: string;
    help?: string;
    options: Array<{ id: string; label: string }>;
  };
  /** The previous answer when this question is being changed. */
  previous?: string;
  progress: { answered: number; remainingAtMost: number };
  answers: AnswerSummary[];
}

export interface Fee {
  code: string;
  label: string;
  /** JPY; null when the price list sets it. */
  excludingTax: number | null;
  includingTax: number | null;
  taxRate: number;
}

export interface CitedText {
  id: string;
  text: string;
  passages: Array<{ id: string; text: string }>;
}

export interface OutcomeStep {
  kind: "outcome";
  outcome: string;
  route: string;
  sign: "go" | "reissue" | "check" | "stop";
  title: string;
  installer?: string;
  fee: Fee;
  conditions: CitedText[];
  notes: CitedText[];
  steps: CitedText[];
  /** What to confirm, and with whom, before the answer can be final (needs_check). */
  confirm: Array<{ question: string; with: "current_host" | "new_host" | "us"; text: string }>;
  answers: AnswerSummary[];
}

export type Step = QuestionStep | OutcomeStep;

export type EngineErrorCode =
  | "unknown_question"
  | "unknown_option"
  | "not_asked"
  | "nothing_to_undo"
  | "not_answered"
  | "finished"
  | "flow_mismatch"
  | "invalid_state";

export interface EngineError {
  code: EngineErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: EngineError };
export interface Progressed {
  consultation: Consultation;
  step: Step;
}

export function fail<T>(code: EngineErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
