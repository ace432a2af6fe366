import {
  answerQuestion,
  changeAnswer,
  goBack,
  type Progressed,
  type Result,
  restartConsultation,
  startConsultation,
  switchLanguage,
  viewConsultation,
} from "../../engine/index.ts";
import type { CompiledFlow } from "../../flow/loadFlow.ts";
import { UI } from "../i18n.ts";
import type { SlackMessage } from "../render/blocks.ts";
import { renderStep } from "../render/message.ts";
import { renderNotice, renderVersionChanged } from "../render/notice.ts";
import { renderOutcome } from "../render/outcome.ts";
import { parseActionId } from "../state/actionIds.ts";
import { type ButtonState, decodeState } from "../state/codec.ts";

export interface Click {
  actionId: string;
  value: string | undefined;
  /** Who clicked. */
  user: string;
}

/**
 * What a click does, decided without I/O:
 * - replace: redraw the consultation's one message in place;
 * - share: post a copy (no buttons) that the whole channel sees;
 * - notice: tell only the clicker something; the message stays as it is.
 */
export type ClickDecision =
  | { kind: "replace"; message: SlackMessage; state: ButtonState; progressed?: Progressed }
  | { kind: "share"; message: SlackMessage }
  | { kind: "notice"; message: SlackMessage; reason: "unreadable" | "not_owner" | "stale" };

/**
 * Pure and deterministic: the same button (its value) and the same action
 * always give the same decision, so double clicks and redelivered requests
 * converge on the same message instead of advancing twice.
 */
export function decideClick(compiled: CompiledFlow, click: Click, command: string): ClickDecision {
  const state = decodeState(click.value);
  const action = parseActionId(click.actionId);
  if (state === null || action === null)
    return { kind: "notice", reason: "unreadable", message: renderNotice(UI.ja.unreadable(command)) };
  const { consultation, owner } = state;
  const ui = UI[consultation.lang];
  if (owner !== click.user)
    return { kind: "notice", reason: "not_owner", message: renderNotice(ui.notOwner(owner, command)) };

  // Starting afresh needs nothing from the old flow version.
  if (action.kind === "start")
    return show(startConsultation(compiled, action.lang ?? consultation.lang), owner);
  if (action.kind === "restart") return show(restartConsultation(compiled, consultation), owner);

  const { flow } = compiled;
  if (consultation.flowId !== flow.id || consultation.version !== flow.version)
    return { kind: "replace", state, message: renderVersionChanged(state, flow.version) };

  const stale = (): ClickDecision => ({ kind: "notice", reason: "stale", message: renderNotice(ui.stale) });
  const next = (result: Result<Progressed>) => (result.ok ? show(result.value, owner) : stale());
  switch (action.kind) {
    case "answer":
      return next(answerQuestion(compiled, consultation, action.question, action.option));
    case "back":
      return next(goBack(compiled, consultation));
    case "change":
      return next(changeAnswer(compiled, consultation, action.question));
    case "lang":
      return next(switchLanguage(compiled, consultation, action.lang));
    case "share": {
      const viewed = viewConsultation(compiled, consultation);
      if (!viewed.ok || viewed.value.step.kind !== "outcome") return stale();
      return { kind: "share", message: renderOutcome(viewed.value.step, state, { sharedBy: click.user }) };
    }
  }
}

function show(progressed: Progressed, owner: string): ClickDecision {
  const state = { consultation: progressed.consultation, owner };
  return { kind: "replace", state, progressed, message: renderStep(progressed.step, state) };
}
