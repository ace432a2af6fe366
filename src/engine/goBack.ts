import type { CompiledFlow } from "../flow/loadFlow.ts";
import type { Consultation } from "./types.ts";
import { fail, type Progressed, type Result } from "./types.ts";
import { viewConsultation } from "./viewConsultation.ts";

/** Undoes the last answer. Abandons a change in progress. */
export function goBack(compiled: CompiledFlow, consultation: Consultation): Result<Progressed> {
  if (consultation.answers.length === 0 && consultation.kept === undefined)
    return fail("nothing_to_undo", "there is no earlier question to go back to");
  const { kept: _dropped, ...rest } = consultation;
  const answers = consultation.kept === undefined ? consultation.answers.slice(0, -1) : consultation.answers;
  return viewConsultation(compiled, { ...rest, answers });
}
