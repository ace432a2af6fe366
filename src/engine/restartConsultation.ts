import type { CompiledFlow } from "../flow/loadFlow.ts";
import { startConsultation } from "./startConsultation.ts";
import type { Consultation, Progressed } from "./types.ts";

/** Starts over in the same language; the flow is the current one, whatever the old state said. */
export function restartConsultation(
  compiled: CompiledFlow,
  consultation: Pick<Consultation, "lang">,
): Progressed {
  return startConsultation(compiled, consultation.lang);
}
