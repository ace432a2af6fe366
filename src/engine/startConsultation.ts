import type { CompiledFlow } from "../flow/loadFlow.ts";
import { describeStep } from "./describeStep.ts";
import type { Consultation, Lang, Progressed } from "./types.ts";
import { startPosition } from "./walkMachine.ts";

export function startConsultation(compiled: CompiledFlow, lang: Lang): Progressed {
  const consultation: Consultation = {
    flowId: compiled.flow.id,
    version: compiled.flow.version,
    lang,
    answers: [],
  };
  return { consultation, step: describeStep(compiled, startPosition(compiled).node, consultation) };
}
