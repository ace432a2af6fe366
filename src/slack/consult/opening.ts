import { type Lang, startConsultation } from "../../engine/index.ts";
import type { CompiledFlow } from "../../flow/loadFlow.ts";
import type { SlackMessage } from "../render/blocks.ts";
import { renderStep } from "../render/message.ts";
import { renderHelp } from "../render/start.ts";
import { newConsultationId } from "../state/codec.ts";
import type { CommandRequest } from "./command.ts";

/** The first message of a slash command or a mention: the first question, or the help. */
export function openingMessage(
  compiled: CompiledFlow,
  request: CommandRequest,
  owner: string,
  command: string,
  id?: string,
): SlackMessage {
  if (request.kind !== "start") return renderHelp(compiled, owner, command, request.lang);
  return firstQuestion(compiled, owner, request.lang, id);
}

/** The first question of a new consultation; `id` is its fresh consultation id. */
export function firstQuestion(
  compiled: CompiledFlow,
  owner: string,
  lang: Lang,
  id: string = newConsultationId(),
): SlackMessage {
  const { consultation, step } = startConsultation(compiled, lang);
  return renderStep(step, { consultation, owner, id, seq: 1 });
}
