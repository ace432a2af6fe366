import { type Step, viewConsultation } from "../../engine/index.ts";
import type { CompiledFlow } from "../../flow/loadFlow.ts";
import { type ConsultationEvent, type EventKind, eventId } from "../../records/index.ts";
import { type ButtonState, isSlackId } from "../state/codec.ts";
import type { ClickDecision } from "./click.ts";

/** Where and when a click happened: what the records need beyond the button. */
export interface ClickPlace {
  workspace: string;
  channel: string;
  at: Date;
  actionId: string;
}

type Extra = Partial<Omit<ConsultationEvent, "id" | "kind" | "consultationId" | "at">>;

/**
 * One event. Its id comes from what the click carries — the consultation id,
 * the screen number and the button — never from the time or Slack's request
 * ids, so a double click or a redelivered request is stored once.
 */
function event(
  kind: EventKind,
  state: ButtonState,
  place: ClickPlace,
  idParts: readonly (string | number)[],
  extra: Extra = {},
): ConsultationEvent {
  return {
    id: eventId(state.id, kind, ...idParts),
    consultationId: state.id,
    kind,
    // Request fields typed string may hold anything: the store takes only text, the reports only ids.
    workspace: isSlackId(place.workspace) ? place.workspace : "unknown",
    // A click's owner comes from its signed state; a command's or mention's from the request as sent.
    user: typeof state.owner === "string" ? state.owner : "unknown",
    channel: isSlackId(place.channel) ? place.channel : "unknown",
    flowId: state.consultation.flowId,
    flowVersion: state.consultation.version,
    at: place.at,
    ...extra,
  };
}

/** The question shown after a step (drop-off counts "reached" from it), or null at an outcome. */
const nextOf = (step: Step): string | null => (step.kind === "question" ? step.question.id : null);

/** The "started" event of a consultation whose first screen is `step`. */
export function startedEvent(
  state: ButtonState,
  step: Step,
  place: ClickPlace,
  restartedFrom?: string,
): ConsultationEvent {
  return event("started", state, place, [], {
    next: nextOf(step),
    details: { lang: state.consultation.lang, ...(restartedFrom ? { restartedFrom } : {}) },
  });
}

/** Pure: the events a click decision means. "completed" events are the ones to write through. */
export function clickEvents(
  compiled: CompiledFlow,
  decision: ClickDecision,
  place: ClickPlace,
): ConsultationEvent[] {
  if (decision.kind === "notice") return [];
  const { before } = decision;
  const click = [before.seq, place.actionId];
  if (decision.kind === "share") return [event("shared", before, place, click)];
  if (decision.kind === "ask_staff") return [event("handed_off", before, place, click)];
  const { action, progressed, state } = decision;
  // A version notice and a language switch change nothing worth recording.
  if (progressed === undefined) return [];
  const { step } = progressed;
  switch (action.kind) {
    case "start":
    case "restart":
      return [startedEvent(state, step, place, action.kind === "restart" ? before.id : undefined)];
    case "answer": {
      const events = [
        event("answered", before, place, click, {
          question: action.question,
          option: action.option,
          next: nextOf(step),
        }),
      ];
      if (step.kind === "outcome")
        events.push(
          event("completed", before, place, click, {
            route: step.route,
            ...(step.installer ? { installer: step.installer } : {}),
            fee: step.fee.code,
            details: { outcome: step.outcome },
          }),
        );
      return events;
    }
    case "back": {
      // "back" names the question left; at a result there is none.
      const left = viewConsultation(compiled, before.consultation);
      const question =
        left.ok && left.value.step.kind === "question" ? left.value.step.question.id : undefined;
      return [event("back", before, place, click, { ...(question ? { question } : {}), next: nextOf(step) })];
    }
    case "change":
      return [event("changed", before, place, click, { question: action.question, next: nextOf(step) })];
    default:
      return [];
  }
}
