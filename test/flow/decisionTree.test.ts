/**
 * The asking rule and the tree checks on small flows, where each rule of the
 * compiler can be seen on its own (the SSL flow's derived facts mask several:
 * they test the destination type before any fact it implies, for instance).
 */
import { describe, expect, it } from "vitest";
import { buildDecisionTree, MAX_COMBINATIONS } from "../../src/flow/buildDecisionTree.ts";
import { type CompiledFlow, compileFlowText } from "../../src/flow/loadFlow.ts";
import { type Expr, Flow, type FlowInput } from "../../src/flow/schema.ts";
import { smallQuestion as question, smallFlow, smallOutcome, TEXT as text } from "../support/smallFlow.ts";

const outcome = (id: string, when?: Expr, route = id) =>
  smallOutcome(id, { route, ...(when ? { when } : {}) });

const flow = (questions: FlowInput["questions"], outcomes: FlowInput["outcomes"]) =>
  smallFlow("small", questions, outcomes);

/** JSON is YAML: the flow goes through the whole loader. */
const load = (input: FlowInput) => compileFlowText(JSON.stringify(input), "small.json");

function compiled(input: FlowInput): CompiledFlow {
  const loaded = load(input);
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join("\n"));
  return loaded.compiled;
}

function errors(input: FlowInput): string[] {
  const loaded = load(input);
  return loaded.ok ? [] : loaded.errors.map((e) => e.message);
}

/** Every path of the tree: the answers in the order asked, the outcome, and what to confirm. */
function paths({ flow, tree }: CompiledFlow): string[] {
  const out: string[] = [];
  const visit = (id: number, answers: string[]) => {
    const node = tree.nodes[id];
    if (!node) throw new Error(`no node ${id}`);
    if (node.kind === "outcome") {
      const confirm = node.confirm.map((qi) => flow.questions[qi]?.id);
      out.push(`${answers.join(" ")} => ${flow.outcomes[node.outcome]?.id} [${confirm.join(", ")}]`);
      return;
    }
    const q = flow.questions[node.question];
    node.children.forEach((child, oi) => {
      visit(child, [...answers, `${q?.id}=${q?.options[oi]?.id}`]);
    });
  };
  visit(0, []);
  return out;
}

describe("decision tree on small flows", () => {
  it("never asks an implied fact, even one an outcome reads directly, and re-derives it when the answer implying it changes", () => {
    const ready = flow(
      [
        question("kind", ["a", "b"]),
        question("ready", ["yes", "no"], [{ when: { fact: "kind", is: "a" }, value: "yes" }]),
      ],
      [outcome("go", { fact: "ready", is: "yes" }), outcome("wait")],
    );
    expect(paths(compiled(ready))).toEqual([
      "kind=a => go []",
      "kind=b ready=yes => go []",
      "kind=b ready=no => wait []",
    ]);
  });

  it("asks in flow order: the first question that can change the result comes first", () => {
    const ordered = flow(
      [
        question("q0", ["yes", "no", "unknown"]),
        question("q1", ["yes", "no", "unknown"], [{ when: { fact: "q0", is: "yes" }, value: "no" }]),
      ],
      [
        outcome("o0", {
          all: [
            { fact: "q0", is: "no" },
            { fact: "q1", is: "unknown" },
          ],
        }),
        outcome("o1"),
      ],
    );
    expect(paths(compiled(ordered))).toEqual([
      "q0=yes => o1 []",
      "q0=no q1=yes => o1 []",
      "q0=no q1=no => o1 []",
      "q0=no q1=unknown => o0 [q1]",
      "q0=unknown => o1 [q0]",
    ]);
  });

  it("lists an unknown whose real answer changes the result through a fact it implies, when that fact agrees with the answer given", () => {
    // host=ours implies key=yes, which is the answer given: ours is possible, and would be a handover.
    const hidden = flow(
      [
        question("host", ["ours", "unknown"]),
        question("key", ["yes", "no"], [{ when: { fact: "host", is: "ours" }, value: "yes" }]),
      ],
      [
        outcome("handover", { fact: "host", is: "ours" }),
        outcome("check", { fact: "key", is: "yes" }),
        outcome("stop"),
      ],
    );
    expect(paths(compiled(hidden))).toEqual([
      "host=ours => handover []",
      "host=unknown key=yes => check [host]",
      "host=unknown key=no => stop []",
    ]);
  });

  it("lists an unknown whose real answer changes the result only where another unknown agrees with the answers, and only there", () => {
    // At method=unknown, key=unknown, extra=b, the key changes the result only if the method were
    // csr_only, which implies csr=yes: the key is left to confirm after csr=yes, not after csr=no.
    const hidden = (csr: "yes" | "no") =>
      flow(
        [
          question("method", ["key_upload", "csr_only", "unknown"]),
          question("csr", ["yes", "no"], [{ when: { fact: "method", is: "csr_only" }, value: "yes" }]),
          question("key", ["yes", "no", "unknown"]),
          question("extra", ["a", "b"]),
        ],
        [
          outcome("odd", {
            all: [
              { fact: "method", is: "csr_only" },
              { fact: "key", is: "yes" },
              { fact: "extra", is: "b" },
            ],
          }),
          outcome("ua", {
            all: [
              { fact: "method", is: "unknown" },
              { fact: "csr", is: csr },
              { fact: "key", is: "yes" },
              { fact: "extra", is: "a" },
            ],
          }),
          outcome("uu", {
            all: [
              { fact: "method", is: "unknown" },
              { fact: "csr", is: csr },
              { fact: "key", is: "unknown" },
              { fact: "extra", is: "a" },
            ],
          }),
          outcome("ub", {
            all: [
              { fact: "method", is: "unknown" },
              { fact: "csr", is: csr },
            ],
          }),
          outcome("uy", { fact: "method", is: "unknown" }),
          outcome("stop"),
        ],
      );
    expect(paths(compiled(hidden("no")))).toContain(
      "method=unknown csr=no key=unknown extra=b => ub [method]",
    );
    expect(paths(compiled(hidden("yes")))).toContain(
      "method=unknown csr=yes key=unknown extra=b => ub [method, key]",
    );
  });

  it("lists an 'I don't know' answer whatever its place among the options", () => {
    const first = flow(
      [question("key", ["unknown", "yes", "no"])],
      [
        outcome("go", { fact: "key", is: "yes" }),
        outcome("check", { fact: "key", is: "unknown" }),
        outcome("stop"),
      ],
    );
    expect(paths(compiled(first))).toEqual([
      "key=unknown => check [key]",
      "key=yes => go []",
      "key=no => stop []",
    ]);
  });

  it("compares results by (route, installer, fee): outcomes sharing them cannot be told apart by a question", () => {
    // Three outcome ids, one route: neither question changes the result, so neither is asked,
    // and the loader reports the result as open (the first two outcomes found), never a guess.
    const sameRoute = flow(
      [question("colour", ["red", "blue"]), question("size", ["small", "large"])],
      [
        outcome(
          "red_small",
          {
            all: [
              { fact: "colour", is: "red" },
              { fact: "size", is: "small" },
            ],
          },
          "go",
        ),
        outcome("red", { fact: "colour", is: "red" }, "go"),
        outcome("other", undefined, "go"),
      ],
    );
    expect(errors(sameRoute)).toEqual([
      "after (none) the outcome is still open (go||none / go||none) but no question can decide it",
      'unreachable question "colour": no path asks it (it never changes the outcome, or is always implied)',
      'unreachable question "size": no path asks it (it never changes the outcome, or is always implied)',
      'outcome "red" is never reached (an earlier outcome always applies first)',
      'outcome "other" is never reached (an earlier outcome always applies first)',
    ]);
  });

  it("names a dead end's answers, the first option of a question included", () => {
    const deadEnd = flow([question("ready", ["yes", "no"])], [outcome("wait", { fact: "ready", is: "no" })]);
    expect(errors(deadEnd)).toEqual(["dead end: no outcome applies to ready=yes"]);
  });

  it("names a dead end among the outcomes still open as 'none'", () => {
    // host=other contradicts both answers to ours (each implies another host), so ours cannot be asked.
    const open = flow(
      [
        question("ours", ["yes", "no"]),
        question(
          "host",
          ["us", "them", "other"],
          [
            { when: { fact: "ours", is: "yes" }, value: "us" },
            { when: { fact: "ours", is: "no" }, value: "them" },
          ],
        ),
      ],
      [
        outcome("ours_other", {
          all: [
            { fact: "ours", is: "yes" },
            { fact: "host", is: "other" },
          ],
        }),
        outcome("go", { fact: "host", in: ["us", "them"] }),
      ],
    );
    expect(errors(open)).toEqual([
      "dead end: no outcome applies to ours=no, host=other",
      "after host=other the outcome is still open (ours_other||none / none) but no question can decide it",
      'unreachable question "ours": no path asks it (it never changes the outcome, or is always implied)',
    ]);
  });

  it("refuses more than MAX_COMBINATIONS combinations of answers before building anything", () => {
    const huge = flow(
      Array.from({ length: 40 }, (_, i) => question(`q${i}`, ["yes", "no"])),
      [outcome("go", { fact: "q0", is: "yes" }), outcome("wait")],
    );
    expect(errors(huge)).toEqual(["too many combinations of answers to check (1099511627776)"]);
    const loaded = load(huge);
    expect(loaded.ok === false && loaded.errors[0]?.path).toBe("questions");
    expect(buildDecisionTree(Flow.parse(huge))).toEqual({
      nodes: [],
      problems: [{ kind: "too_large", combinations: 2 ** 40 }],
    });
  });

  it("builds a flow of exactly MAX_COMBINATIONS combinations", () => {
    // 2^6 * 5^7 = 5,000,000; every question after the first is implied by it, so the tree is tiny.
    const options = (n: number) => ["a", "b", "c", "d", "e"].slice(0, n);
    const questions = [
      question("q0", ["yes", "no"]),
      ...Array.from({ length: 12 }, (_, i) =>
        question(`q${i + 1}`, options(i < 5 ? 2 : 5), [
          { when: { fact: "q0", in: ["yes", "no"] }, value: "a" },
        ]),
      ),
    ];
    expect(questions.reduce((n, q) => n * q.options.length, 1)).toBe(MAX_COMBINATIONS);
    const problems = errors(flow(questions, [outcome("go", { fact: "q0", is: "yes" }), outcome("wait")]));
    expect(problems.filter((p) => p.startsWith("too many"))).toEqual([]);
    expect(problems).toHaveLength(12); // the implied questions are never asked
  });
});

describe("items left citing nothing at a result", () => {
  const redOnly = (id: string) => ({ id, when: { fact: "colour", is: "red" } });
  // (ready=yes, colour=blue) and (ready=no, colour never asked) both end in "rest".
  const gaps = {
    ...flow(
      [question("ready", ["yes", "no"]), question("colour", ["red", "blue"])],
      [
        outcome("go", {
          all: [
            { fact: "ready", is: "yes" },
            { fact: "colour", is: "red" },
          ],
        }),
        {
          ...outcome("rest"),
          conditions: [
            { id: "plain", passages: ["P1"], text },
            // Uncited at both results of "rest": reported once, at the first.
            { id: "gap", passages: [redOnly("P2")], text },
          ],
          steps: [
            { id: "none", text },
            // Applies only at ready=yes, where it cites nothing; where it does not apply it is no gap.
            { id: "when_ready", when: { fact: "ready", is: "yes" }, passages: [redOnly("P1")], text },
          ],
          notes: [
            {
              id: "when_not",
              when: { fact: "ready", is: "no" },
              passages: [{ id: "P2", when: { fact: "ready", is: "yes" } }],
              text,
            },
          ],
        },
      ],
    ),
    passages: { P1: text, P2: text },
  };

  it("reports each item once, in every group, at its first such result, and only where it applies and lists passages", () => {
    const loaded = load(gaps);
    expect(loaded.ok).toBe(false);
    expect(loaded.ok === false && loaded.errors.map((e) => `${e.path} ${e.message}`)).toEqual([
      'outcomes.1.conditions.1.passages "gap" of outcome "rest" cites none of its passages at the result for ready=yes, colour=blue: give every result at least one',
      'outcomes.1.steps.1.passages "when_ready" of outcome "rest" cites none of its passages at the result for ready=yes, colour=blue: give every result at least one',
      'outcomes.1.notes.0.passages "when_not" of outcome "rest" cites none of its passages at the result for ready=no: give every result at least one',
    ]);
  });

  it("accepts the same items once every result cites something", () => {
    const rest = gaps.outcomes[1];
    if (!rest) throw new Error("no rest");
    const cited = {
      ...gaps,
      outcomes: [
        gaps.outcomes[0],
        {
          ...rest,
          conditions: [{ id: "gap", passages: [redOnly("P2"), "P1"], text }],
          steps: [{ id: "when_ready", when: { fact: "ready", is: "yes" }, passages: ["P1"], text }],
          notes: [{ id: "when_not", when: { fact: "ready", is: "no" }, passages: ["P2"], text }],
        },
      ],
    } as FlowInput;
    expect(load(cited).ok).toBe(true);
  });
});
