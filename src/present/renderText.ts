import type { Lang, OutcomeStep, QuestionStep } from "../engine/types.ts";
import { formatFee } from "./formatFee.ts";
import { machineLine } from "./machineLine.ts";
import { RESULT_WORDING } from "./wording.ts";

/** Plain-text rendering of a step, for the terminal. */
// The terminal's own words; the result's come from RESULT_WORDING, shared with Slack.
const PROGRESS: Record<Lang, (n: number, max: number) => string> = {
  ja: (n, max) => `質問 ${n} / 最大 ${max}`,
  en: (n, max) => `Question ${n} of at most ${max}`,
};

export function renderQuestionText(step: QuestionStep, lang: Lang): string {
  const lines = [
    "",
    // remainingAtMost counts this question too, as in Slack.
    PROGRESS[lang](step.progress.answered + 1, step.progress.answered + step.progress.remainingAtMost),
    step.question.text,
    ...(step.question.help
      ? [lang === "ja" ? `  （${step.question.help}）` : `  (${step.question.help})`]
      : []),
    ...step.question.options.map(
      (o, i) =>
        `  ${i + 1}) ${o.label}${step.previous === o.id ? (lang === "ja" ? "  ← 前回の回答" : "  ← previous answer") : ""}`,
    ),
  ];
  return lines.join("\n");
}

export function renderOutcomeText(step: OutcomeStep, lang: Lang): string {
  const w = RESULT_WORDING[lang];
  const cite = (passages: Array<{ id: string }>) =>
    passages.length > 0 ? ` [${passages.map((p) => p.id).join(", ")}]` : "";
  const fee = formatFee(step.fee, lang);
  // A heading's colon: full-width after Japanese, as in the fee line.
  const colon = lang === "ja" ? "：" : ":";
  const lines = [
    "",
    "━".repeat(40),
    `${w.sign[step.sign]}  ${step.title}`,
    "━".repeat(40),
    `${w.conditions}${colon}`,
    ...step.conditions.map((c) => `  • ${c.text}${cite(c.passages)}`),
  ];
  if (step.confirm.length > 0) {
    lines.push(
      `${w.confirm}${colon}`,
      ...step.confirm.map((c) => `  • ${c.text} → ${w.confirmWith[c.with]}`),
    );
  }
  lines.push(`${w.fee}${colon}`, `  ${fee.line}`);
  if (step.notes.length > 0) lines.push(`${w.notes}${colon}`, ...step.notes.map((n) => `  • ${n.text}`));
  lines.push(`${w.nextSteps}${colon}`, ...step.steps.map((s, i) => `  ${i + 1}. ${s.text}`));
  lines.push(
    `${w.answersGiven}${colon}`,
    ...step.answers.map((a) => `  - ${a.questionText} → ${a.optionLabel}`),
  );
  lines.push(machineLine(step));
  return lines.join("\n");
}
