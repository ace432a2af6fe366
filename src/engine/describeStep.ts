import type { OutcomeNode, TreeNode } from "../flow/buildDecisionTree.ts";
import type { CompiledFlow } from "../flow/loadFlow.ts";
import { type ItemGroup, itemsAt } from "../flow/resolveItems.ts";
import type { Flow } from "../flow/schema.ts";
import { memoFor } from "../util/memo.ts";
import { computeFee } from "./computeFee.ts";
import type { AnswerSummary, CitedText, Consultation, Lang, OutcomeStep, Step } from "./types.ts";

/** Turns the machine's position into what a surface shows, in the consultation's language. */
export function describeStep(compiled: CompiledFlow, node: TreeNode, consultation: Consultation): Step {
  const { flow } = compiled;
  const { lang } = consultation;
  const answers = summarize(flow, consultation, lang);
  if (node.kind === "outcome") return describeOutcome(compiled, node, lang, answers);
  const question = flow.questions[node.question];
  if (!question) throw new Error(`tree node ${node.id} names no question`);
  const previous = consultation.kept?.[question.id];
  return {
    kind: "question",
    question: {
      id: question.id,
      text: question.text[lang],
      ...(question.help ? { help: question.help[lang] } : {}),
      options: question.options.map((o) => ({ id: o.id, label: o.label[lang] })),
    },
    ...(previous !== undefined ? { previous } : {}),
    progress: { answered: consultation.answers.length, remainingAtMost: remainingQuestions(compiled, node) },
    answers,
  };
}

const questionsById = new WeakMap<Flow, Map<string, Flow["questions"][number]>>();

function summarize(flow: Flow, consultation: Consultation, lang: Lang): AnswerSummary[] {
  const byId = memoFor(questionsById, flow, () => new Map(flow.questions.map((q) => [q.id, q])));
  return consultation.answers.map(([qid, oid]) => {
    const question = byId.get(qid);
    return {
      question: qid,
      questionText: question?.text[lang] ?? qid,
      option: oid,
      optionLabel: question?.options.find((o) => o.id === oid)?.label[lang] ?? oid,
    };
  });
}

function describeOutcome(
  compiled: CompiledFlow,
  node: OutcomeNode,
  lang: Lang,
  answers: AnswerSummary[],
): OutcomeStep {
  const { flow } = compiled;
  const outcome = flow.outcomes[node.outcome];
  if (!outcome) throw new Error(`tree node ${node.id} names no outcome`);
  const resolved = itemsAt(flow, node);
  const cite = (group: ItemGroup): CitedText[] =>
    (outcome[group] ?? []).flatMap((item, i) => {
      const passages = resolved[group][i];
      if (!passages) return [];
      return [
        {
          id: item.id,
          text: item.text[lang],
          passages: passages.map((p) => ({ id: p, text: flow.passages[p]?.[lang] ?? p })),
        },
      ];
    });
  const installer =
    node.feeBy === undefined
      ? undefined
      : flow.questions[node.feeBy.question]?.options[node.feeBy.option]?.id;
  return {
    kind: "outcome",
    outcome: outcome.id,
    route: outcome.route,
    sign: outcome.sign,
    title: outcome.title[lang],
    ...(installer !== undefined ? { installer } : {}),
    fee: computeFee(flow, node.fee, lang),
    conditions: cite("conditions"),
    notes: cite("notes"),
    steps: cite("steps"),
    confirm: node.confirm.map((qi) => {
      const question = flow.questions[qi];
      const option = question?.options[node.facts[qi] as number];
      return {
        question: question?.id ?? "",
        with: option?.unknown?.confirm_with ?? "us",
        text: option?.unknown?.text[lang] ?? "",
      };
    }),
    answers,
  };
}

const depthCache = new WeakMap<CompiledFlow, Map<number, number>>();

/** The most questions still to come from here: an honest upper bound for a progress bar. */
function remainingQuestions(compiled: CompiledFlow, node: TreeNode): number {
  const cache = memoFor(depthCache, compiled, () => new Map<number, number>());
  const depth = (n: TreeNode): number => {
    if (n.kind === "outcome") return 0;
    const known = cache.get(n.id);
    if (known !== undefined) return known;
    const d = 1 + Math.max(...n.children.map((c) => depth(compiled.tree.nodes[c] as TreeNode)));
    cache.set(n.id, d);
    return d;
  };
  return depth(node);
}
