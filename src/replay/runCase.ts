import {
  answerQuestion,
  changeAnswer,
  type EngineError,
  goBack,
  type Lang,
  type Progressed,
  type Result,
  restartConsultation,
  startConsultation,
  switchLanguage,
} from "../engine/index.ts";
import type { CompiledFlow } from "../flow/loadFlow.ts";
import type { AnswerMapCase, Expect, ReplayCase, TranscriptCase, TranscriptStep } from "./caseSchema.ts";

export interface CaseResult {
  name: string;
  ok: boolean;
  route: string | null;
  installer: string | null;
  fee: string | null;
  asked: string[];
  reasons: string[];
  /** What differed, or why the case could not run; null when it passed. */
  error: string | null;
}

/** Runs one replay case against the engine. Pure: the same flow and case give the same result. */
export function runCase(compiled: CompiledFlow, testCase: ReplayCase): CaseResult {
  return "answers" in testCase ? runAnswerMap(compiled, testCase) : runTranscript(compiled, testCase);
}

function runAnswerMap(compiled: CompiledFlow, testCase: AnswerMapCase): CaseResult {
  let at = startConsultation(compiled, testCase.lang ?? "ja");
  const asked: string[] = [];
  // A flow cannot ask more questions than it has; the bound only guards against a broken engine.
  for (let turn = 0; at.step.kind === "question" && turn <= compiled.flow.questions.length; turn++) {
    const question = at.step.question.id;
    asked.push(question);
    const option = testCase.answers[question];
    if (option === undefined)
      return finish(testCase, at, asked, `the bot asked "${question}", which the answer map does not answer`);
    const next = answerQuestion(compiled, at.consultation, question, option);
    if (!next.ok)
      return finish(testCase, at, asked, `answering ${question}=${option}: ${next.error.message}`);
    at = next.value;
  }
  return finish(testCase, at, asked, compare(testCase.expect, at, asked));
}

function runTranscript(compiled: CompiledFlow, testCase: TranscriptCase): CaseResult {
  let at = startConsultation(compiled, testCase.lang ?? "ja");
  for (const [i, step] of testCase.steps.entries()) {
    const label = `step ${i + 1} (${describeStep(step)})`;
    const result = applyStep(compiled, at, step);
    const expectedError = typeof step === "object" && "error" in step ? step.error : undefined;
    if (!result.ok) {
      if (expectedError === result.error.code) continue;
      return finish(testCase, at, askedSoFar(at), `${label}: ${result.error.code}: ${result.error.message}`);
    }
    if (expectedError !== undefined)
      return finish(
        testCase,
        result.value,
        askedSoFar(result.value),
        `${label}: expected error ${expectedError}`,
      );
    at = result.value;
    const next = typeof step === "object" ? step.next : undefined;
    const now = at.step.kind === "question" ? at.step.question.id : "done";
    if (next !== undefined && next !== now)
      return finish(testCase, at, askedSoFar(at), `${label}: expected next ${next}, got ${now}`);
  }
  return finish(
    testCase,
    at,
    askedSoFar(at),
    testCase.expect ? compare(testCase.expect, at, askedSoFar(at)) : null,
  );
}

function applyStep(compiled: CompiledFlow, at: Progressed, step: TranscriptStep): Result<Progressed> {
  if (step === "back") return goBack(compiled, at.consultation);
  if (step === "restart" || "restart" in step)
    return { ok: true, value: restartConsultation(compiled, at.consultation) };
  if ("back" in step) return goBack(compiled, at.consultation);
  if ("change" in step) return changeAnswer(compiled, at.consultation, step.change);
  if ("lang" in step) return switchLanguage(compiled, at.consultation, step.lang as Lang);
  const [question, option] = Object.entries(step.answer)[0] ?? ["", ""];
  return answerQuestion(compiled, at.consultation, question, option);
}

function describeStep(step: TranscriptStep): string {
  if (typeof step === "string") return step;
  if ("answer" in step) return Object.entries(step.answer).map(([q, o]) => `${q}=${o}`)[0] ?? "answer";
  if ("change" in step) return `change ${step.change}`;
  if ("lang" in step) return `lang ${step.lang}`;
  return "back" in step ? "back" : "restart";
}

function askedSoFar(at: Progressed): string[] {
  return at.consultation.answers.map(([q]) => q);
}

function compare(expect: Expect, at: Progressed, asked: string[]): string | null {
  const { step } = at;
  if (step.kind !== "outcome")
    return `expected route ${expect.route}, but the bot is still asking "${step.question.id}"`;
  const diffs: string[] = [];
  if (step.route !== expect.route) diffs.push(`route expected ${expect.route}, got ${step.route}`);
  if (expect.fee !== undefined && step.fee.code !== expect.fee)
    diffs.push(`fee expected ${expect.fee}, got ${step.fee.code}`);
  if (expect.installer !== undefined && step.installer !== expect.installer)
    diffs.push(`installer expected ${expect.installer}, got ${step.installer ?? "none"}`);
  if (expect.asked !== undefined && expect.asked.join(",") !== asked.join(","))
    diffs.push(`asked expected [${expect.asked.join(", ")}], got [${asked.join(", ")}]`);
  if (expect.reasons !== undefined) {
    const got = new Set(step.conditions.map((c) => c.id));
    const want = new Set(expect.reasons);
    if (got.size !== want.size || [...want].some((r) => !got.has(r)))
      diffs.push(`reasons expected {${[...want].sort().join(", ")}}, got {${[...got].sort().join(", ")}}`);
  }
  return diffs.length > 0 ? diffs.join("; ") : null;
}

function finish(testCase: ReplayCase, at: Progressed, asked: string[], error: string | null): CaseResult {
  const outcome = at.step.kind === "outcome" ? at.step : undefined;
  return {
    name: testCase.name,
    ok: error === null,
    route: outcome?.route ?? null,
    installer: outcome?.installer ?? null,
    fee: outcome?.fee.code ?? null,
    asked,
    reasons: outcome?.conditions.map((c) => c.id) ?? [],
    error,
  };
}

export type { EngineError };
