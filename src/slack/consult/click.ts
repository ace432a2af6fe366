import {
  answerQuestion,
  changeAnswer,
  goBack,
  type OutcomeStep,
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
import { offersHandoff, renderOutcome } from "../render/outcome.ts";
import { type ParsedAction, parseActionId } from "../state/actionIds.ts";
import { type ButtonState, decodeState, derivedConsultationId } from "../state/codec.ts";

export interface Click {
  actionId: string;
  value: string | undefined;
  /** Who clicked. */
  user: string;
}

export interface ClickOptions {
  /** The slash command, for notices. */
  command: string;
  /** A staff channel is configured, so result cards that need us offer "Ask staff". */
  staff?: boolean;
}

/**
 * What a click does, decided without I/O:
 * - replace: redraw the consultation's one message in place;
 * - share: post a copy (no buttons) that the whole channel sees;
 * - ask_staff: hand the result to staff, and redraw the card saying so;
 * - notice: tell only the clicker something; the message stays as it is.
 * `before` and `action` say what was clicked, for the records.
 */
export type ClickDecision =
  | {
      kind: "replace";
      message: SlackMessage;
      state: ButtonState;
      before: ButtonState;
      action: ParsedAction;
      progressed?: Progressed;
    }
  | { kind: "share"; message: SlackMessage; before: ButtonState }
  | { kind: "ask_staff"; message: SlackMessage; before: ButtonState; step: OutcomeStep }
  | { kind: "notice"; message: SlackMessage; reason: "unreadable" | "not_owner" | "stale" };

/**
 * Pure and deterministic: the same button (its value) and the same action
 * always give the same decision, so double clicks and redelivered requests
 * converge on the same message instead of advancing twice.
 */
export function decideClick(compiled: CompiledFlow, click: Click, options: ClickOptions): ClickDecision {
  const { command } = options;
  const staff = options.staff === true;
  const state = decodeState(click.value);
  const action = parseActionId(click.actionId);
  if (state === null || action === null || action.kind === "take")
    return { kind: "notice", reason: "unreadable", message: renderNotice(UI.ja.unreadable(command)) };
  const { consultation, owner } = state;
  const ui = UI[consultation.lang];
  // Both languages: the clicker's own is unknown here (the state carries the owner's).
  if (owner !== click.user)
    return {
      kind: "notice",
      reason: "not_owner",
      message: renderNotice(`${UI.ja.notOwner(owner, command)}\n${UI.en.notOwner(owner, command)}`),
    };

  const show = (progressed: Progressed, next: Pick<ButtonState, "id" | "seq"> = state): ClickDecision => {
    const after = { consultation: progressed.consultation, owner, id: next.id, seq: next.seq + 1 };
    const message = renderStep(progressed.step, after, { staff });
    return { kind: "replace", state: after, before: state, action, progressed, message };
  };

  // Starting afresh needs nothing from the old flow version. A start button
  // carries a fresh id; starting over derives a new one from the button, so a
  // double click on it still names one consultation.
  if (action.kind === "start") return show(startConsultation(compiled, action.lang ?? consultation.lang));
  if (action.kind === "restart")
    return show(restartConsultation(compiled, consultation), {
      id: derivedConsultationId("restart", state.id, String(state.seq)),
      seq: 0,
    });

  const { flow } = compiled;
  if (consultation.flowId !== flow.id || consultation.version !== flow.version)
    return {
      kind: "replace",
      state,
      before: state,
      action,
      message: renderVersionChanged(state, flow),
    };

  const stale = (): ClickDecision => ({ kind: "notice", reason: "stale", message: renderNotice(ui.stale) });
  const next = (result: Result<Progressed>) => (result.ok ? show(result.value) : stale());
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
      return {
        kind: "share",
        before: state,
        message: renderOutcome(viewed.value.step, state, { sharedBy: click.user }),
      };
    }
    case "ask_staff": {
      const viewed = viewConsultation(compiled, consultation);
      if (!staff || !viewed.ok || viewed.value.step.kind !== "outcome" || !offersHandoff(viewed.value.step))
        return stale();
      const { step } = viewed.value;
      const message = renderOutcome(step, state, { staff, handoff: { status: "asked" } });
      return { kind: "ask_staff", before: state, step, message };
    }
  }
}
