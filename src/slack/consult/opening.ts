import { type Lang, startConsultation } from "../../engine/index.ts";
import type { CompiledFlow } from "../../flow/loadFlow.ts";
import type { SlackMessage } from "../render/blocks.ts";
import { renderStep } from "../render/message.ts";
import { renderHelp } from "../render/start.ts";
import type { CommandRequest } from "./command.ts";

/** The first message of a slash command or a mention: the first question, or the help. */
export function openingMessage(
  compiled: CompiledFlow,
  request: CommandRequest,
  owner: string,
  command: string,
): SlackMessage {
  if (request.kind === "help") return renderHelp(compiled, owner, command, request.lang);
  return firstQuestion(compiled, owner, request.lang);
}

export function firstQuestion(compiled: CompiledFlow, owner: string, lang: Lang): SlackMessage {
  const { consultation, step } = startConsultation(compiled, lang);
  return renderStep(step, { consultation, owner });
}
