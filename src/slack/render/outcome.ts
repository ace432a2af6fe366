import type { CitedText, Fee, Lang, OutcomeStep } from "../../engine/index.ts";
import { formatFee } from "../../present/formatFee.ts";
import { machineLine } from "../../present/machineLine.ts";
import { otherLang, UI, type UiText } from "../i18n.ts";
import { actionIds } from "../state/actionIds.ts";
import { type ButtonState, encodeState } from "../state/codec.ts";
import {
  actions,
  type Block,
  button,
  context,
  divider,
  escapeMrkdwn,
  header,
  listSections,
  type SlackMessage,
  section,
} from "./blocks.ts";

export interface OutcomeOptions {
  /** Render the copy posted to the channel: no buttons, credited to the user who shared it. */
  sharedBy?: string;
  /** A staff channel is configured: results that need us offer "Ask staff". */
  staff?: boolean;
  /** Staff were asked (and maybe one took it): shown instead of the "Ask staff" button. */
  handoff?: HandoffStatus;
}

export type HandoffStatus = { status: "asked" } | { status: "taken"; assignee: string };

/** Results where the customer may want a person: we install, or something must be checked first. */
export function offersHandoff(step: OutcomeStep): boolean {
  return step.installer === "us" || step.route === "needs_check" || step.outcome === "needs_check";
}

/**
 * The result card. Staff and drivers read the last context line
 * (`route: … · installer: … · fee: …`), so its format is fixed.
 */
export function renderOutcome(
  step: OutcomeStep,
  state: ButtonState,
  options: OutcomeOptions = {},
): SlackMessage {
  const { lang } = state.consultation;
  const ui = UI[lang];
  const interactive = options.sharedBy === undefined;
  const value = encodeState(state);
  const title = `${ui.sign[step.sign]} ${step.title}`;
  const blocks: Block[] = [];
  if (options.sharedBy !== undefined) blocks.push(context(ui.sharedBy(options.sharedBy), "shared_by"));
  blocks.push(header(title));
  if (step.conditions.length > 0)
    blocks.push(...listSections(ui.conditions, step.conditions.map(citedLine), "conditions"));
  blocks.push(section(feeText(step.fee, ui, lang), "fee"));
  if (step.notes.length > 0) blocks.push(...listSections(ui.notes, step.notes.map(citedLine), "notes"));
  if (step.confirm.length > 0)
    blocks.push(
      ...listSections(
        ui.confirm,
        step.confirm.map((c) => `• ${escapeMrkdwn(c.text)} — *${escapeMrkdwn(ui.confirmWith[c.with])}*`),
        "confirm",
      ),
    );
  if (step.steps.length > 0)
    blocks.push(
      ...listSections(
        ui.nextSteps,
        step.steps.map((s, i) => `${i + 1}. ${escapeMrkdwn(s.text)}`),
        "steps",
      ),
    );
  blocks.push(divider(), section(`*${ui.answersGiven}*`, "answers"));
  for (const a of step.answers) {
    const text = `${escapeMrkdwn(a.questionText)}\n*${escapeMrkdwn(a.optionLabel)}*`;
    blocks.push(
      interactive
        ? {
            ...section(text, `answer_${a.question}`),
            accessory: button(ui.change, actionIds.change(a.question), value),
          }
        : section(text, `answer_${a.question}`),
    );
  }
  if (interactive && options.handoff !== undefined)
    blocks.push(
      section(
        options.handoff.status === "taken" ? ui.handoffTaken(options.handoff.assignee) : ui.handoffAsked,
        "handoff",
      ),
    );
  const askStaff =
    interactive && options.staff === true && options.handoff === undefined && offersHandoff(step);
  if (interactive)
    blocks.push(
      actions("result_nav", [
        ...(askStaff ? [button(ui.askStaff, actionIds.askStaff, value, "primary")] : []),
        button(ui.share, actionIds.share, value, askStaff ? undefined : "primary"),
        ...(step.answers.length > 0 ? [button(ui.back, actionIds.back, value)] : []),
        button(ui.restart, actionIds.restart, value),
        button(UI[otherLang(lang)].otherLanguage, actionIds.lang(otherLang(lang)), value),
      ]),
    );
  blocks.push(context(machineLine(step), "machine"));
  return { text: escapeMrkdwn(title), blocks };
}

export { machineLine };

function citedLine(item: CitedText): string {
  const ids = item.passages.map((p) => p.id).join(", ");
  return `• ${escapeMrkdwn(item.text)}${ids ? ` _(${ids})_` : ""}`;
}

function feeText(fee: Fee, ui: UiText, lang: Lang): string {
  const { excludingTax, includingTax } = formatFee(fee, lang);
  return `*${ui.fee}*: ${escapeMrkdwn(fee.label)}\n${escapeMrkdwn(`${excludingTax} / ${includingTax}`)}`;
}
