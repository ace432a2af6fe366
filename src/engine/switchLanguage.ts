import type { CompiledFlow } from "../flow/loadFlow.ts";
import type { Consultation, Lang, Progressed, Result } from "./types.ts";
import { viewConsultation } from "./viewConsultation.ts";

export function switchLanguage(
  compiled: CompiledFlow,
  consultation: Consultation,
  lang: Lang,
): Result<Progressed> {
  return viewConsultation(compiled, { ...consultation, lang });
}
