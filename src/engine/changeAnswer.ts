import type { CompiledFlow } from "../flow/loadFlow.ts";
import { type Consultation, fail, type Progressed, type Result } from "./types.ts";
import { viewConsultation } from "./viewConsultation.ts";

/**
 * Asks an earlier question again. The answers given after it are kept aside
 * and reused by answerQuestion wherever they still apply.
 */
export function changeAnswer(
  compiled: CompiledFlow,
  consultation: Consultation,
  question: string,
): Result<Progressed> {
  if (!compiled.questionIndex.has(question))
    return fail("unknown_question", `unknown question "${question}"`);
  const at = consultation.answers.findIndex(([q]) => q === question);
  if (at < 0)
    return fail("not_answered", `question "${question}" has not been answered, so it cannot be changed`);
  const kept = Object.fromEntries([
    ...consultation.answers.slice(at),
    ...Object.entries(consultation.kept ?? {}),
  ]);
  return viewConsultation(compiled, { ...consultation, answers: consultation.answers.slice(0, at), kept });
}
