import type { Step } from "../../engine/index.ts";
import type { ButtonState } from "../state/codec.ts";
import type { SlackMessage } from "./blocks.ts";
import { type OutcomeOptions, renderOutcome } from "./outcome.ts";
import { renderQuestion } from "./question.ts";

/** The one message of a consultation, whatever step it is at. */
export function renderStep(step: Step, state: ButtonState, options: OutcomeOptions = {}): SlackMessage {
  return step.kind === "question" ? renderQuestion(step, state) : renderOutcome(step, state, options);
}
