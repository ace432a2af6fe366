import type { CompiledFlow } from "../flow/loadFlow.ts";
import { describeStep } from "./describeStep.ts";
import type { Consultation, Progressed, Result } from "./types.ts";
import { checkFlow, replay } from "./walkMachine.ts";

/** Re-derives the current step from a stored consultation (e.g. one carried in a button). */
export function viewConsultation(compiled: CompiledFlow, consultation: Consultation): Result<Progressed> {
  const flowOk = checkFlow(compiled, consultation);
  if (!flowOk.ok) return flowOk;
  const at = replay(compiled, consultation.answers);
  if (!at.ok) return at;
  return { ok: true, value: { consultation, step: describeStep(compiled, at.value.node, consultation) } };
}
