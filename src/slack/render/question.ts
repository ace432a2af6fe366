import type { QuestionStep } from "../../engine/index.ts";
import { otherLang, UI } from "../i18n.ts";
import { actionIds } from "../state/actionIds.ts";
import { type ButtonState, encodeState } from "../state/codec.ts";
import {
  actions,
  type Block,
  button,
  context,
  escapeMrkdwn,
  listSections,
  type SlackMessage,
  section,
} from "./blocks.ts";

/** A question: its text and help, one button per option, progress, the answers so far and navigation. */
export function renderQuestion(step: QuestionStep, state: ButtonState): SlackMessage {
  const { lang } = state.consultation;
  const ui = UI[lang];
  const value = encodeState(state);
  const { question } = step;
  const previousLabel = question.options.find((o) => o.id === step.previous)?.label;
  const blocks: Block[] = [section(`*${escapeMrkdwn(question.text)}*`, "question")];
  if (question.help) blocks.push(context(`💡 ${escapeMrkdwn(question.help)}`, "help"));
  if (previousLabel) blocks.push(context(escapeMrkdwn(ui.previousAnswer(previousLabel)), "previous"));
  blocks.push(
    actions(
      "options",
      question.options.map((o) =>
        button(
          o.label,
          actionIds.answer(question.id, o.id),
          value,
          o.id === step.previous ? "primary" : undefined,
        ),
      ),
    ),
  );
  const { answered, remainingAtMost } = step.progress;
  blocks.push(context(ui.progress(answered + 1, answered + remainingAtMost), "progress"));
  if (step.answers.length > 0)
    blocks.push(
      ...listSections(
        ui.answersSoFar,
        step.answers.map((a) => `• ${escapeMrkdwn(a.questionText)} — *${escapeMrkdwn(a.optionLabel)}*`),
        "so_far",
      ),
    );
  const canGoBack = state.consultation.answers.length > 0 || state.consultation.kept !== undefined;
  blocks.push(
    actions("nav", [
      ...(canGoBack ? [button(ui.back, actionIds.back, value)] : []),
      ...(canGoBack ? [button(ui.restart, actionIds.restart, value)] : []),
      button(UI[otherLang(lang)].otherLanguage, actionIds.lang(otherLang(lang)), value),
    ]),
  );
  return { text: escapeMrkdwn(question.text), blocks };
}
