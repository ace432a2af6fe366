/**
 * Model-based check of the SSL-migration flow against an INDEPENDENT model of
 * shared/spec/ssl-migration-rules.md (sections 2, 3 and 4), written from the
 * rules file only — not from flows/ssl-migration.yaml or src/flow/*.
 *
 * The model:
 *  - `decide`: the three-valued decision of section 4 over a full combination
 *    of facts, giving (route, installer, fee code) per section 3;
 *  - `derive`: the implied facts of section 2;
 *  - the asking rule of section 2: questions in table order; a question is
 *    asked iff it is not answered, not implied by the answers so far, and some
 *    consistent full combination agreeing with the answers so far changes
 *    (route, installer, fee) when only this answer changes (re-deriving the
 *    implied facts that follow from it). When no question qualifies the
 *    outcome is final.
 *
 * Every consistent combination of facts is then put to the real engine: the
 * engine must ask exactly the questions the model asks, in the same order,
 * and reach the same (route, installer, fee code); and each result must list
 * exactly the "unknown" answers whose real answer can change it (section 3,
 * needs_check), enough that needs_check never comes back once they are known.
 */
import { describe, expect, it } from "vitest";
import { answerQuestion, type Consultation, type Step, startConsultation } from "../../src/engine/index.ts";
import { type CompiledFlow, loadFlowFile } from "../../src/flow/loadFlow.ts";

// ---------------------------------------------------------------------------
// Section 2: the facts, in table order.

const QUESTIONS = {
  validity: ["valid", "expired"],
  current_server: ["our_shared", "other_shared", "dedicated_vps_cloud"],
  destination_server: ["shared", "dedicated_vps_cloud"],
  destination_byo: ["yes", "no", "unknown"],
  destination_install_method: ["key_upload", "csr_only", "unknown"],
  issuer: ["us", "server_option", "other"],
  key_exportable: ["yes", "no", "unknown"],
  cert_exportable: ["yes", "no", "unknown"],
  destination_csr: ["yes", "no", "unknown"],
  reissuable: ["yes", "no", "unknown"],
  csr_details_same: ["yes", "no"],
  installer: ["self", "us"],
} as const satisfies Record<string, readonly string[]>;

type QId = keyof typeof QUESTIONS;
/** Table order (object literal insertion order). */
const QIDS = Object.keys(QUESTIONS) as QId[];
type Facts = Readonly<Record<QId, string>>;
type Answers = Partial<Record<QId, string>>;

function isQId(id: string): id is QId {
  return Object.hasOwn(QUESTIONS, id);
}

/** Section 2, column "implied": the facts that follow from other facts. */
function derive(f: Facts): Facts {
  const g: Record<QId, string> = { ...f };
  if (g.destination_server === "dedicated_vps_cloud") {
    g.destination_byo = "yes";
    g.destination_install_method = "key_upload";
    g.destination_csr = "yes";
  }
  if (g.destination_install_method === "csr_only") g.destination_csr = "yes";
  if (g.current_server === "our_shared" || g.current_server === "dedicated_vps_cloud") {
    g.key_exportable = "yes";
    g.cert_exportable = "yes";
  }
  if (g.issuer === "us") g.cert_exportable = "yes";
  return g;
}

/** Is question `q` implied by the answers given so far? */
function impliedBy(answers: Answers, q: QId): boolean {
  const destDedicated = answers.destination_server === "dedicated_vps_cloud";
  const currentOpen =
    answers.current_server === "our_shared" || answers.current_server === "dedicated_vps_cloud";
  switch (q) {
    case "destination_byo":
    case "destination_install_method":
      return destDedicated;
    case "destination_csr":
      return destDedicated || answers.destination_install_method === "csr_only";
    case "key_exportable":
      return currentOpen;
    case "cert_exportable":
      return currentOpen || answers.issuer === "us";
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------
// Sections 3 and 4: the decision.

type Tri = "yes" | "no" | "unknown";

function tri(v: string): Tri {
  if (v === "yes" || v === "no" || v === "unknown") return v;
  throw new Error(`not a three-valued answer: ${v}`);
}

function and(...parts: Tri[]): Tri {
  if (parts.includes("no")) return "no";
  if (parts.every((p) => p === "yes")) return "yes";
  return "unknown";
}

interface Outcome {
  route: string;
  installer: string | undefined;
  fee: string;
}

function outcomeKey(o: Outcome): string {
  return `${o.route}/${o.installer ?? "-"}/${o.fee}`;
}

function decideUncached(f: Facts): Outcome {
  const stop = (route: string): Outcome => ({ route, installer: undefined, fee: "none" });
  if (f.validity === "expired") return stop("not_transferable");

  const haveFiles: Tri =
    f.current_server === "our_shared" || f.current_server === "dedicated_vps_cloud"
      ? "yes"
      : f.issuer === "us"
        ? tri(f.key_exportable)
        : and(tri(f.key_exportable), tri(f.cert_exportable));

  let destImport: Tri;
  let destCsr: Tri;
  if (f.destination_server === "dedicated_vps_cloud") [destImport, destCsr] = ["yes", "yes"];
  else if (f.destination_byo === "no") [destImport, destCsr] = ["no", "no"];
  else if (f.destination_byo === "unknown") [destImport, destCsr] = ["unknown", "unknown"];
  else if (f.destination_install_method === "key_upload")
    [destImport, destCsr] = ["yes", tri(f.destination_csr)];
  else if (f.destination_install_method === "csr_only") [destImport, destCsr] = ["no", "yes"];
  else [destImport, destCsr] = ["unknown", tri(f.destination_csr)];

  const routeA = and(haveFiles, destImport);
  const routeB = and(
    f.issuer === "us" ? "yes" : "no",
    tri(f.reissuable),
    destCsr,
    f.csr_details_same === "yes" ? "yes" : "no",
  );

  if (routeA === "yes") {
    return {
      route: f.current_server === "our_shared" ? "handover" : "move",
      installer: f.installer,
      fee: f.installer === "us" ? "setup_first_year" : "none",
    };
  }
  if (routeB === "yes") {
    return {
      route: "reissue",
      installer: f.installer,
      fee: f.installer === "us" ? "setup_first_year" : "reissue_admin",
    };
  }
  if (routeA === "unknown" || routeB === "unknown") return stop("needs_check");
  return stop("not_transferable");
}

const decisionMemo = new Map<string, Outcome>();
function decide(f: Facts): Outcome {
  const key = QIDS.map((q) => f[q]).join("|");
  let o = decisionMemo.get(key);
  if (o === undefined) {
    o = decideUncached(f);
    decisionMemo.set(key, o);
  }
  return o;
}

// ---------------------------------------------------------------------------
// Section 2: the asking rule, as a tree of conversations over all combinations.

interface Entry {
  facts: Facts;
  outcome: Outcome;
  /** Bit i set: changing only QIDS[i] (re-deriving what follows) changes the outcome. */
  flips: number;
}

interface ModelLeaf {
  kind: "leaf";
  conversation: Array<[QId, string]>;
  outcome: Outcome;
  entries: Entry[];
}
interface ModelQuestion {
  kind: "question";
  question: QId;
  conversation: Array<[QId, string]>;
  children: Map<string, ModelNode>;
}
type ModelNode = ModelLeaf | ModelQuestion;

function flipsOf(f: Facts): number {
  const base = outcomeKey(decide(f));
  let mask = 0;
  QIDS.forEach((q, i) => {
    for (const v of QUESTIONS[q]) {
      if (v === f[q]) continue;
      const changed = derive({ ...f, [q]: v });
      if (changed[q] !== v) continue; // q is itself implied here: it cannot be changed alone
      if (outcomeKey(decide(changed)) !== base) {
        mask |= 1 << i;
        return;
      }
    }
  });
  return mask;
}

/** Every consistent combination: implied facts take their implied value, the rest range over all options. */
function allConsistentCombinations(): Facts[] {
  const out: Facts[] = [];
  const walk = (i: number, partial: Record<string, string>): void => {
    const q = QIDS[i];
    if (q === undefined) {
      const f = partial as Facts;
      const d = derive(f);
      if (QIDS.every((k) => d[k] === f[k])) out.push({ ...f });
      return;
    }
    for (const v of QUESTIONS[q]) {
      partial[q] = v;
      walk(i + 1, partial);
    }
  };
  walk(0, {});
  return out;
}

interface Model {
  root: ModelNode;
  entries: Entry[];
  leafOf: Map<Entry, ModelLeaf>;
  leaves: ModelLeaf[];
  /** Places where the model contradicts itself or the table's "not asked when" column. */
  problems: string[];
  buildMs: number;
}

function buildModel(): Model {
  const started = performance.now();
  const entries: Entry[] = allConsistentCombinations().map((facts) => ({
    facts,
    outcome: decide(facts),
    flips: flipsOf(facts),
  }));
  const leafOf = new Map<Entry, ModelLeaf>();
  const leaves: ModelLeaf[] = [];
  const problems: string[] = [];

  const build = (group: Entry[], conversation: Array<[QId, string]>): ModelNode => {
    const answers: Answers = Object.fromEntries(conversation);
    let mask = 0;
    for (const e of group) mask |= e.flips;
    const next = QIDS.find(
      (q, i) => answers[q] === undefined && !impliedBy(answers, q) && (mask & (1 << i)) !== 0,
    );
    if (next === undefined) {
      const first = group[0];
      if (first === undefined) throw new Error("empty group");
      const distinct = new Set(group.map((e) => outcomeKey(e.outcome)));
      if (distinct.size > 1) {
        problems.push(
          `final after ${JSON.stringify(answers)} but outcomes differ: ${[...distinct].join(", ")}`,
        );
      }
      const leaf: ModelLeaf = { kind: "leaf", conversation, outcome: first.outcome, entries: group };
      for (const e of group) leafOf.set(e, leaf);
      leaves.push(leaf);
      return leaf;
    }
    // Cross-checks against the table's "not asked when" column.
    if (next === "installer" && group.some((e) => e.outcome.installer === undefined)) {
      problems.push(`installer asked before a route works, after ${JSON.stringify(answers)}`);
    }
    if (next === "destination_install_method" && answers.destination_byo !== "yes") {
      problems.push(
        `destination_install_method asked without destination_byo=yes, after ${JSON.stringify(answers)}`,
      );
    }
    const parts = new Map<string, Entry[]>();
    for (const e of group) {
      const v = e.facts[next];
      const part = parts.get(v);
      if (part) part.push(e);
      else parts.set(v, [e]);
    }
    const children = new Map<string, ModelNode>();
    for (const v of QUESTIONS[next]) {
      const part = parts.get(v);
      if (part) children.set(v, build(part, [...conversation, [next, v]]));
    }
    return { kind: "question", question: next, conversation, children };
  };

  const root = build(entries, []);
  return { root, entries, leafOf, leaves, problems, buildMs: Math.round(performance.now() - started) };
}

let modelCache: Model | undefined;
function model(): Model {
  modelCache ??= buildModel();
  return modelCache;
}

/** Replays an answer map through the model the way the replay harness does (section 5). */
function replayModel(answers: Answers): { asked: QId[]; outcome: Outcome } {
  const asked: QId[] = [];
  let node = model().root;
  while (node.kind === "question") {
    const v = answers[node.question];
    if (v === undefined) throw new Error(`model asks ${node.question}, which the answer map does not answer`);
    asked.push(node.question);
    const child = node.children.get(v);
    if (child === undefined) throw new Error(`model has no combination with ${node.question}=${v}`);
    node = child;
  }
  return { asked, outcome: node.outcome };
}

// ---------------------------------------------------------------------------
// The real engine.

let compiledCache: CompiledFlow | undefined;
function compiled(): CompiledFlow {
  if (compiledCache) return compiledCache;
  const loaded = loadFlowFile(new URL("../../flows/ssl-migration.yaml", import.meta.url).pathname);
  if (!loaded.ok) throw new Error(`flow does not load:\n${JSON.stringify(loaded.errors, null, 2)}`);
  compiledCache = loaded.compiled;
  return compiledCache;
}

function engineOutcome(step: Step): Outcome | undefined {
  if (step.kind !== "outcome") return undefined;
  return { route: step.route, installer: step.installer, fee: step.fee.code };
}

/** Replays an answer map through the engine the way the replay harness does (section 5). */
function replayEngine(answers: Answers): { asked: string[]; step: Step } {
  const flow = compiled();
  let { consultation, step } = startConsultation(flow, "ja");
  const asked: string[] = [];
  while (step.kind === "question") {
    const q = step.question.id;
    const v = isQId(q) ? answers[q] : undefined;
    if (v === undefined) throw new Error(`engine asks ${q}, which the answer map does not answer`);
    if (asked.length > 20) throw new Error(`engine keeps asking: ${asked.join(", ")}`);
    asked.push(q);
    const r = answerQuestion(flow, consultation, q, v);
    if (!r.ok) throw new Error(`engine refused ${q}=${v}: ${r.error.code} ${r.error.message}`);
    ({ consultation, step } = r.value);
  }
  return { asked, step };
}

interface Mismatch {
  answers: Answers;
  expected: string;
  got: string;
  sameCount: number;
}

interface EngineRun {
  mismatches: Mismatch[];
  /** Each final answer the engine gave: the conversation and the questions it says to confirm. */
  finals: Array<{ asked: Array<[QId, string]>; route: string; confirm: string[] }>;
  optionProblems: Set<string>;
  conversations: number;
  fees: Map<string, Set<string>>;
}

/**
 * Walks the engine's conversation tree, carrying the combinations that reach
 * each point: at each question the combinations are split by their answer, so
 * every consistent combination is checked and each distinct engine
 * conversation is driven once (one per model conversation when they agree).
 */
function runEngine(): EngineRun {
  const flow = compiled();
  const m = model();
  const run: EngineRun = {
    mismatches: [],
    finals: [],
    optionProblems: new Set(),
    conversations: 0,
    fees: new Map(),
  };

  const show = (asked: ReadonlyArray<readonly [string, string]>, o: Outcome | string): string =>
    `asked [${asked.map(([q]) => q).join(", ")}] → ${typeof o === "string" ? o : outcomeKey(o)}`;
  const answersShown = (facts: Facts, ...asked: Array<ReadonlyArray<readonly [string, string]>>): Answers => {
    const shown: Answers = {};
    for (const list of asked) for (const [q] of list) if (isQId(q)) shown[q] = facts[q];
    return shown;
  };

  const finish = (group: Entry[], asked: Array<[string, string]>, got: Outcome | string): void => {
    run.conversations++;
    const byExpectation = new Map<string, { leaf: ModelLeaf; entry: Entry; count: number }>();
    for (const e of group) {
      const leaf = m.leafOf.get(e);
      if (leaf === undefined) throw new Error("combination without a model conversation");
      const sameAsked =
        leaf.conversation.length === asked.length &&
        leaf.conversation.every(([q, v], i) => asked[i]?.[0] === q && asked[i]?.[1] === v);
      const sameOutcome = typeof got !== "string" && outcomeKey(got) === outcomeKey(e.outcome);
      if (sameAsked && sameOutcome) continue;
      const key = `${leaf.conversation.map(([q, v]) => `${q}=${v}`).join(",")}|${outcomeKey(e.outcome)}`;
      const seen = byExpectation.get(key);
      if (seen) seen.count++;
      else byExpectation.set(key, { leaf, entry: e, count: 1 });
    }
    for (const { leaf, entry, count } of byExpectation.values()) {
      run.mismatches.push({
        answers: answersShown(entry.facts, leaf.conversation, asked),
        expected: show(leaf.conversation, entry.outcome),
        got: show(asked, got),
        sameCount: count,
      });
    }
  };

  const walk = (
    consultation: Consultation,
    step: Step,
    group: Entry[],
    asked: Array<[string, string]>,
  ): void => {
    const got = engineOutcome(step);
    if (got !== undefined && step.kind === "outcome") {
      const fees = run.fees.get(step.fee.code) ?? new Set<string>();
      fees.add(`${step.fee.excludingTax}/${step.fee.includingTax}`);
      run.fees.set(step.fee.code, fees);
      run.finals.push({
        asked: asked.filter((a): a is [QId, string] => isQId(a[0])),
        route: step.route,
        confirm: step.confirm.map((c) => c.question),
      });
      finish(group, asked, got);
      return;
    }
    if (step.kind !== "question") return;
    const q = step.question.id;
    if (!isQId(q)) {
      finish(group, asked, `asks unknown question "${q}"`);
      return;
    }
    if (asked.length >= QIDS.length) {
      finish(group, asked, `keeps asking (${q})`);
      return;
    }
    const offered = step.question.options.map((o) => o.id).sort();
    const contract = [...QUESTIONS[q]].sort();
    if (offered.join(",") !== contract.join(",")) {
      run.optionProblems.add(`${q}: offers [${offered.join(", ")}], contract says [${contract.join(", ")}]`);
    }
    const parts = new Map<string, Entry[]>();
    for (const e of group) {
      const part = parts.get(e.facts[q]);
      if (part) part.push(e);
      else parts.set(e.facts[q], [e]);
    }
    for (const [v, part] of parts) {
      const r = answerQuestion(flow, consultation, q, v);
      if (!r.ok) {
        finish(part, [...asked, [q, v]], `error ${r.error.code}: ${r.error.message}`);
        continue;
      }
      walk(r.value.consultation, r.value.step, part, [...asked, [q, v]]);
    }
  };

  const start = startConsultation(flow, "ja");
  walk(start.consultation, start.step, m.entries, []);
  return run;
}

let runCache: EngineRun | undefined;
function engineRun(): EngineRun {
  runCache ??= runEngine();
  return runCache;
}

// ---------------------------------------------------------------------------
// Section 3, needs_check: "list exactly what to confirm". An answer "unknown"
// is to be confirmed when finding it out can change the result: the other
// "unknown" answers and the facts never asked may turn out any way, and in
// some such way its real value gives another (route, installer, fee) than
// "unknown" does, without contradicting an answer (csr_only, say, means a CSR
// can be made on the new server). Other "unknown" answers are not fixed at
// "unknown" here: one can hide another.

function expectedConfirm(asked: ReadonlyArray<[QId, string]>): QId[] {
  const unknowns = asked.filter(([, v]) => v === "unknown").map(([q]) => q);
  return unknowns.filter((l) =>
    model().entries.some(({ facts, outcome }) => {
      if (facts[l] !== "unknown") return false;
      if (!asked.every(([q, v]) => unknowns.includes(q) || facts[q] === v)) return false;
      return QUESTIONS[l].some((v) => {
        if (v === "unknown") return false;
        const found = derive({ ...facts, [l]: v });
        if (!asked.every(([q]) => q === l || found[q] === facts[q])) return false;
        return outcomeKey(decide(found)) !== outcomeKey(outcome);
      });
    }),
  );
}

/**
 * A combination in which the user found out every listed item (and answered
 * every later question), left the other "unknown" answers as they were, and
 * still gets needs_check; undefined when there is none.
 */
function stillOpenAfterConfirming(asked: ReadonlyArray<[QId, string]>, confirm: readonly string[]) {
  return model().entries.find(
    ({ facts, outcome }) =>
      outcome.route === "needs_check" &&
      asked.every(([q, v]) => (confirm.includes(q) ? facts[q] !== "unknown" : facts[q] === v)) &&
      QIDS.every((q) => asked.some(([a]) => a === q) || facts[q] !== "unknown"),
  )?.facts;
}

function formatMismatches(list: Mismatch[]): string {
  const shown = list
    .slice(0, 10)
    .map(
      (mm, i) =>
        `#${i + 1} answers ${JSON.stringify(mm.answers)}` +
        `${mm.sameCount > 1 ? ` (and ${mm.sameCount - 1} more combinations like it)` : ""}\n` +
        `   expected ${mm.expected}\n` +
        `   got      ${mm.got}`,
    );
  return `${list.length} engine conversation(s) disagree with the model:\n${shown.join("\n")}`;
}

// ---------------------------------------------------------------------------
// Section 5, the worked examples.

const WORKED_EXAMPLES: Array<{ name: string; answers: Answers; expect: Outcome }> = [
  {
    name: "expired certificate stops at once",
    answers: { validity: "expired" },
    expect: { route: "not_transferable", installer: undefined, fee: "none" },
  },
  {
    name: "our shared hosting, new VPS, customer installs",
    answers: {
      validity: "valid",
      current_server: "our_shared",
      destination_server: "dedicated_vps_cloud",
      installer: "self",
    },
    expect: { route: "handover", installer: "self", fee: "none" },
  },
  {
    name: "our certificate on another host, key locked in, reissue by customer",
    answers: {
      validity: "valid",
      current_server: "other_shared",
      issuer: "us",
      key_exportable: "no",
      destination_server: "dedicated_vps_cloud",
      reissuable: "yes",
      csr_details_same: "yes",
      installer: "self",
    },
    expect: { route: "reissue", installer: "self", fee: "reissue_admin" },
  },
  {
    name: "same, but we install — setup fee instead of the reissue fee",
    answers: {
      validity: "valid",
      current_server: "other_shared",
      issuer: "us",
      key_exportable: "no",
      destination_server: "dedicated_vps_cloud",
      reissuable: "yes",
      csr_details_same: "yes",
      installer: "us",
    },
    expect: { route: "reissue", installer: "us", fee: "setup_first_year" },
  },
  {
    name: "hosting option certificate whose file cannot be exported",
    answers: {
      validity: "valid",
      current_server: "other_shared",
      issuer: "server_option",
      key_exportable: "yes",
      cert_exportable: "no",
      destination_server: "dedicated_vps_cloud",
    },
    expect: { route: "not_transferable", installer: undefined, fee: "none" },
  },
  {
    name: "new shared host without bring-your-own SSL",
    answers: {
      validity: "valid",
      current_server: "dedicated_vps_cloud",
      destination_server: "shared",
      destination_byo: "no",
    },
    expect: { route: "not_transferable", installer: undefined, fee: "none" },
  },
  {
    name: "customer does not know whether the key can be exported",
    answers: {
      validity: "valid",
      current_server: "other_shared",
      issuer: "server_option",
      key_exportable: "unknown",
      cert_exportable: "yes",
      destination_server: "dedicated_vps_cloud",
    },
    expect: { route: "needs_check", installer: undefined, fee: "none" },
  },
];

// ---------------------------------------------------------------------------

describe("SSL migration flow against an independent model of the rules", () => {
  it("the model itself gives the worked examples of section 5 (so this test can fail)", () => {
    for (const ex of WORKED_EXAMPLES) {
      expect(replayModel(ex.answers).outcome, ex.name).toEqual(ex.expect);
    }
    // A wrong expectation is caught: the model does not say `move` for the reissue example.
    const reissue = WORKED_EXAMPLES[2];
    expect(reissue && replayModel(reissue.answers).outcome.route).not.toBe("move");
  });

  it("the model is well-defined and agrees with the table's 'not asked when' column", () => {
    const m = model();
    expect(m.problems.slice(0, 10), m.problems.slice(0, 10).join("\n")).toEqual([]);
  });

  it("every final answer lists exactly the 'unknown' answers whose real answer can change it (section 3)", () => {
    const run = engineRun();
    const wrong = run.finals
      .map((f) => ({ ...f, expected: expectedConfirm(f.asked) }))
      .filter((f) => f.confirm.join(",") !== f.expected.join(","));
    const shown = wrong
      .slice(0, 5)
      .map(
        (f) =>
          `${f.asked.map(([q, v]) => `${q}=${v}`).join(" ")} → ${f.route}: confirm [${f.confirm.join(", ")}], expected [${f.expected.join(", ")}]`,
      );
    expect(wrong.length, shown.join("\n")).toBe(0);
    // The rule is not vacuous: some answers have something to confirm, some have two things.
    expect(
      run.finals.filter((f) => f.route === "needs_check" && f.confirm.length >= 2).length,
    ).toBeGreaterThan(0);
  }, 60_000);

  it("once the listed items are found out, the answer is final: needs_check never comes back", () => {
    const run = engineRun();
    const open = run.finals
      .filter((f) => f.route === "needs_check")
      .map((f) => ({ f, facts: stillOpenAfterConfirming(f.asked, f.confirm) }))
      .filter((x) => x.facts !== undefined);
    const shown = open
      .slice(0, 5)
      .map(
        ({ f, facts }) =>
          `${f.asked.map(([q, v]) => `${q}=${v}`).join(" ")}: confirm [${f.confirm.join(", ")}], still needs_check with ${JSON.stringify(facts)}`,
      );
    expect(open.length, shown.join("\n")).toBe(0);
    // Listing nothing would fail: every needs_check then stays open.
    const needsCheck = run.finals.filter((f) => f.route === "needs_check");
    expect(needsCheck.every((f) => stillOpenAfterConfirming(f.asked, []) !== undefined)).toBe(true);
  }, 60_000);

  it("the engine asks what the model asks, in order, and reaches the same outcome, for every combination", () => {
    const m = model();
    const started = performance.now();
    const run = engineRun();
    const ms = Math.round(performance.now() - started);
    console.log(
      `model-based: ${m.entries.length} consistent combinations, ${m.leaves.length} model conversations, ` +
        `${run.conversations} engine conversations driven; model ${m.buildMs} ms, engine walk ${ms} ms`,
    );
    expect([...run.optionProblems], [...run.optionProblems].join("\n")).toEqual([]);
    expect(run.mismatches.length, formatMismatches(run.mismatches)).toBe(0);
  }, 60_000);

  it("the engine gives the worked examples of section 5 as a replay would", () => {
    for (const ex of WORKED_EXAMPLES) {
      const { step } = replayEngine(ex.answers);
      expect(engineOutcome(step), ex.name).toEqual(ex.expect);
    }
  });

  it("fee amounts: reissue by the customer is 1,500 JPY + tax; the setup fee has no configured amount", () => {
    const self = replayEngine(WORKED_EXAMPLES[2]?.answers ?? {}).step;
    expect(self.kind).toBe("outcome");
    if (self.kind !== "outcome") return;
    expect(self.fee.code).toBe("reissue_admin");
    expect(self.fee.excludingTax).toBe(1500);
    expect(self.fee.includingTax).toBe(1650);

    const us = replayEngine(WORKED_EXAMPLES[3]?.answers ?? {}).step;
    expect(us.kind).toBe("outcome");
    if (us.kind !== "outcome") return;
    expect(us.fee.code).toBe("setup_first_year");
    expect(us.fee.excludingTax).toBeNull();

    // The same amounts wherever these fees appear in the whole walk.
    const fees = engineRun().fees;
    expect([...(fees.get("reissue_admin") ?? [])]).toEqual(["1500/1650"]);
    expect([...(fees.get("setup_first_year") ?? [])].every((a) => a.startsWith("null/"))).toBe(true);
  }, 60_000);
});
