import type { CompiledFlow } from "../flow/loadFlow.ts";
import { describeStep } from "./describeStep.ts";
import type { Consultation, Progressed, Result } from "./types.ts";
import { checkFlow, replay, step } from "./walkMachine.ts";

/**
 * Answers the question being asked. After a change of an earlier answer, the
 * later answers that still apply are replayed so they are not asked again.
 */
export function answerQuestion(
  compiled: CompiledFlow,
  consultation: Consultation,
  question: string,
  option: string,
): Result<Progressed> {
  const flowOk = checkFlow(compiled, consultation);
  if (!flowOk.ok) return flowOk;
  const start = replay(compiled, consultation.answers);
  if (!start.ok) return start;
  const first = step(compiled, start.value, question, option);
  if (!first.ok) return first;
  let at = first.value;
  const answers: Consultation["answers"] = [...consultation.answers, [question, option]];
  const kept = consultation.kept ?? {};
  while (at.node.kind === "question") {
    const qid = compiled.flow.questions[at.node.question]?.id ?? "";
    const reuse = kept[qid];
    if (reuse === undefined || qid === question) break;
    const next = step(compiled, at, qid, reuse);
    if (!next.ok) break;
    at = next.value;
    answers.push([qid, reuse]);
  }
  const { kept: _done, ...rest } = consultation;
  const updated: Consultation = { ...rest, answers };
  return { ok: true, value: { consultation: updated, step: describeStep(compiled, at.node, updated) } };
}
