/**
 * Differential check of the engine against a reference written directly from
 * shared/spec/ssl-migration-rules.md (sections 2–5), without looking at
 * flows/ssl-migration.yaml's decision logic.
 *
 * Reference model:
 *  - raw facts: one option per question (table order of section 2);
 *  - effective facts: the raw facts with section 2's "implied" column applied
 *    (so a changed answer re-derives the facts that follow from it);
 *  - decide(): section 4 verbatim, three-valued; route/installer/fee per section 3;
 *  - asking: table order; a question is asked iff some combination of facts
 *    agreeing with the answers so far changes (route, installer, fee) when only
 *    this answer changes (implied ones never change anything, so are never asked).
 *
 * The engine is walked over its whole decision tree (every answer combination)
 * in lock-step with the reference.
 */
import { describe, expect, it } from "vitest";
import {
  answerQuestion,
  computeFee,
  type OutcomeStep,
  type Progressed,
  type Result,
  startConsultation,
} from "../../src/engine/index.ts";
import { formatFee } from "../../src/present/formatFee.ts";
import { loadRealFlow } from "../support/flow.ts";

const compiled = loadRealFlow();

const Q: Array<[string, string[]]> = [
  ["validity", ["valid", "expired"]],
  ["current_server", ["our_shared", "other_shared", "dedicated_vps_cloud"]],
  ["destination_server", ["shared", "dedicated_vps_cloud"]],
  ["destination_byo", ["yes", "no", "unknown"]],
  ["destination_install_method", ["key_upload", "csr_only", "unknown"]],
  ["issuer", ["us", "server_option", "other"]],
  ["key_exportable", ["yes", "no", "unknown"]],
  ["cert_exportable", ["yes", "no", "unknown"]],
  ["destination_csr", ["yes", "no", "unknown"]],
  ["reissuable", ["yes", "no", "unknown"]],
  ["csr_details_same", ["yes", "no"]],
  ["installer", ["self", "us"]],
];
const QIDS = Q.map(([id]) => id);
const IDX = Object.fromEntries(QIDS.map((id, i) => [id, i])) as Record<string, number>;
type F = Record<string, string>;
type T = "yes" | "no" | "unknown";

function effective(raw: F): F {
  const f = { ...raw };
  if (f.destination_server === "dedicated_vps_cloud") {
    f.destination_byo = "yes";
    f.destination_install_method = "key_upload";
    f.destination_csr = "yes";
  }
  if (f.destination_install_method === "csr_only") f.destination_csr = "yes";
  if (f.current_server === "our_shared" || f.current_server === "dedicated_vps_cloud") {
    f.key_exportable = "yes";
    f.cert_exportable = "yes";
  }
  if (f.issuer === "us") f.cert_exportable = "yes";
  return f;
}

const and = (...xs: T[]): T => (xs.includes("no") ? "no" : xs.every((x) => x === "yes") ? "yes" : "unknown");
const b = (x: boolean): T => (x ? "yes" : "no");

interface Decision {
  route: string;
  installer?: string;
  fee: string;
  A: T;
  B: T;
}

/** Section 4 verbatim, on effective facts. */
function decide(raw: F): Decision {
  const f = effective(raw);
  if (f.validity === "expired") return { route: "not_transferable", fee: "none", A: "no", B: "no" };
  let have: T;
  if (f.current_server === "our_shared" || f.current_server === "dedicated_vps_cloud") have = "yes";
  else if (f.issuer === "us") have = f.key_exportable as T;
  else have = and(f.key_exportable as T, f.cert_exportable as T);
  let imp: T;
  let csr: T;
  if (f.destination_server === "dedicated_vps_cloud") [imp, csr] = ["yes", "yes"];
  else if (f.destination_byo === "no") [imp, csr] = ["no", "no"];
  else if (f.destination_byo === "unknown") [imp, csr] = ["unknown", "unknown"];
  else if (f.destination_install_method === "key_upload") [imp, csr] = ["yes", f.destination_csr as T];
  else if (f.destination_install_method === "csr_only") [imp, csr] = ["no", "yes"];
  else [imp, csr] = ["unknown", f.destination_csr as T];
  const A = and(have, imp);
  // csr_details_same has no "unknown" option; an unanswered one (never asked) counts as not yet known.
  const same: T = f.csr_details_same === undefined ? "unknown" : b(f.csr_details_same === "yes");
  const B = and(b(f.issuer === "us"), (f.reissuable ?? "unknown") as T, csr, same);
  const inst = f.installer as string;
  if (A === "yes")
    return {
      route: f.current_server === "our_shared" ? "handover" : "move",
      installer: inst,
      fee: inst === "self" ? "none" : "setup_first_year",
      A,
      B,
    };
  if (B === "yes")
    return {
      route: "reissue",
      installer: inst,
      fee: inst === "self" ? "reissue_admin" : "setup_first_year",
      A,
      B,
    };
  if (A === "unknown" || B === "unknown") return { route: "needs_check", fee: "none", A, B };
  return { route: "not_transferable", fee: "none", A, B };
}

const key = (d: Decision) => `${d.route}|${d.installer ?? "-"}|${d.fee}`;

/** Section 2's asking rule: does q's answer still change (route, installer, fee)? */
function relevant(answers: F, q: string, withUnknown = true): boolean {
  const free = QIDS.filter((id) => id !== q && answers[id] === undefined);
  const domain = (id: string) => Q[IDX[id] as number]?.[1] ?? [];
  const raw: F = { ...answers };
  const rec = (i: number): boolean => {
    if (i === free.length) {
      let first: string | undefined;
      for (const v of domain(q)) {
        const k = key(decide({ ...raw, [q]: v }));
        if (first === undefined) first = k;
        else if (k !== first) return true;
      }
      return false;
    }
    const id = free[i] as string;
    for (const v of domain(id)) {
      if (!withUnknown && v === "unknown") continue;
      raw[id] = v;
      if (rec(i + 1)) return true;
    }
    delete raw[id];
    return false;
  };
  return rec(0);
}

const nextCache = new Map<string, string | null>();
function nextQuestion(answers: F): string | null {
  const k = JSON.stringify(QIDS.map((id) => answers[id] ?? ""));
  const hit = nextCache.get(k);
  if (hit !== undefined) return hit;
  const q = QIDS.find((id) => answers[id] === undefined && relevant(answers, id)) ?? null;
  nextCache.set(k, q);
  return q;
}

const CONFIRM_WITH: Record<string, string> = {
  destination_byo: "new_host",
  destination_install_method: "new_host",
  destination_csr: "new_host",
  key_exportable: "current_host",
  cert_exportable: "current_host",
  reissuable: "us",
};

/**
 * needs_check: "list exactly what to confirm" — the answered unknowns that are
 * part of a route (A or B) which is still unknown, i.e. could still work.
 */
function confirmList(answers: F): string[] {
  const f = effective(answers);
  const d = decide(answers); // unanswered facts of route B count as unknown
  const out = new Set<string>();
  const unk = (id: string) => answers[id] === "unknown" && f[id] === "unknown";
  const destImportParts = () =>
    f.destination_server === "shared"
      ? f.destination_byo === "unknown"
        ? ["destination_byo"]
        : f.destination_byo === "yes" && f.destination_install_method === "unknown"
          ? ["destination_install_method"]
          : []
      : [];
  const destCsrParts = () =>
    f.destination_server === "shared"
      ? f.destination_byo === "unknown"
        ? ["destination_byo"]
        : f.destination_byo === "yes" && f.destination_install_method !== "csr_only"
          ? ["destination_csr"]
          : []
      : [];
  if (d.A === "unknown") {
    if (f.current_server === "other_shared")
      for (const id of f.issuer === "us" ? ["key_exportable"] : ["key_exportable", "cert_exportable"])
        out.add(id);
    for (const id of destImportParts()) out.add(id);
  }
  if (d.B === "unknown") {
    out.add("reissuable");
    for (const id of destCsrParts()) out.add(id);
  }
  return QIDS.filter((id) => out.has(id) && unk(id));
}

/** Unasked facts cannot change the result (that is why they were not asked): fill them with any option. */
function complete(answers: F): F {
  return Object.fromEntries(QIDS.map((id) => [id, answers[id] ?? (Q[IDX[id] as number]?.[1][0] as string)]));
}

function must<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

interface Leaf {
  answers: Array<[string, string]>;
  step: OutcomeStep;
}

function walkAll(): { leaves: Leaf[]; mismatches: string[] } {
  const leaves: Leaf[] = [];
  const mismatches: string[] = [];
  const rec = (at: Progressed, answers: F, path: Array<[string, string]>) => {
    const want = nextQuestion(answers);
    const got = at.step.kind === "question" ? at.step.question.id : null;
    if (want !== got) {
      mismatches.push(
        `${path.map(([q, o]) => `${q}=${o}`).join(" ")}: expected ${want ?? "outcome"}, engine ${got ?? "outcome"}`,
      );
      return;
    }
    if (at.step.kind === "outcome") {
      leaves.push({ answers: path, step: at.step });
      return;
    }
    for (const o of at.step.question.options.map((x) => x.id)) {
      const next = must(answerQuestion(compiled, at.consultation, got as string, o));
      rec(next, { ...answers, [got as string]: o }, [...path, [got as string, o]]);
    }
  };
  rec(startConsultation(compiled, "ja"), {}, []);
  return { leaves, mismatches };
}

const walked = walkAll();
const label = (l: Leaf) => l.answers.map(([q, o]) => `${q}=${o}`).join(" ");
const PASSAGES = new Set(Array.from({ length: 11 }, (_, i) => `P${i + 1}`));

function runMap(map: F): { asked: string[]; step: Progressed["step"] } {
  let at = startConsultation(compiled, "ja");
  const asked: string[] = [];
  while (at.step.kind === "question") {
    const q = at.step.question.id;
    asked.push(q);
    const o = map[q];
    if (o === undefined) throw new Error(`asked ${q}, not in the map`);
    at = must(answerQuestion(compiled, at.consultation, q, o));
  }
  return { asked, step: at.step };
}

describe("contract differential (rules file, sections 2–5)", () => {
  it("uses exactly the question ids and option ids of section 2, in table order", () => {
    const qs = compiled.flow.questions.map((q) => [q.id, q.options.map((o) => o.id).sort()]);
    expect(qs).toEqual(Q.map(([id, opts]) => [id, [...opts].sort()]));
  });

  it("defines the route ids and fee codes of section 3; fees and tax come from configuration", () => {
    const routes = new Set(Object.values(compiled.flow.outcomes).map((o) => o.route));
    expect([...routes].sort()).toEqual(["handover", "move", "needs_check", "not_transferable", "reissue"]);
    expect(Object.keys(compiled.flow.fees).sort()).toEqual(["none", "reissue_admin", "setup_first_year"]);
    expect(computeFee(compiled.flow, "none", "ja")).toMatchObject({ excludingTax: 0, includingTax: 0 });
    expect(computeFee(compiled.flow, "reissue_admin", "en")).toMatchObject({
      excludingTax: 1500,
      includingTax: 1650,
      taxRate: 0.1,
    });
    // No setup amount set: "per the price list" (null amounts).
    expect(computeFee(compiled.flow, "setup_first_year", "ja")).toMatchObject({
      excludingTax: null,
      includingTax: null,
    });
    // The rate and amounts are configuration: change them and the arithmetic follows.
    const flow = structuredClone(compiled.flow);
    flow.tax.rate = 0.08;
    (flow.fees.setup_first_year as { amount: number | null }).amount = 10000;
    expect(computeFee(flow, "reissue_admin", "ja")).toMatchObject({ excludingTax: 1500, includingTax: 1620 });
    expect(computeFee(flow, "setup_first_year", "ja")).toMatchObject({
      excludingTax: 10000,
      includingTax: 10800,
    });
  });

  it("the engine asks exactly the reference's questions, in order, over every answer combination", () => {
    expect(walked.mismatches.slice(0, 20)).toEqual([]);
    expect(walked.leaves.length).toBeGreaterThan(50);
  });

  it("route, installer, fee code and amounts match the reference at every result", () => {
    const bad: string[] = [];
    for (const l of walked.leaves) {
      const d = decide(complete(Object.fromEntries(l.answers)));
      const s = l.step;
      const amounts: Record<string, [number | null, number | null]> = {
        none: [0, 0],
        reissue_admin: [1500, 1650],
        setup_first_year: [null, null],
      };
      const got = `${s.route}|${s.installer ?? "-"}|${s.fee.code}|${s.fee.excludingTax}|${s.fee.includingTax}`;
      const want = `${d.route}|${d.installer ?? "-"}|${d.fee}|${amounts[d.fee]?.[0]}|${amounts[d.fee]?.[1]}`;
      if (got !== want) bad.push(`${label(l)}: expected ${want}, got ${got}`);
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });

  it("every result shows conditions tied to P1–P11, next steps and the answers given", () => {
    const bad: string[] = [];
    for (const l of walked.leaves) {
      const s = l.step;
      if (s.conditions.length === 0) bad.push(`${label(l)}: no conditions`);
      for (const c of s.conditions)
        if (c.passages.length === 0 || c.passages.some((p) => !PASSAGES.has(p.id)))
          bad.push(`${label(l)}: condition ${c.id} cites ${c.passages.map((p) => p.id)}`);
      if (s.steps.length === 0 && s.confirm.length === 0) bad.push(`${label(l)}: no next steps`);
      if (JSON.stringify(s.answers.map((a) => [a.question, a.option])) !== JSON.stringify(l.answers))
        bad.push(`${label(l)}: answer summary differs`);
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });

  it("reasons expired and destination_no_byo appear where section 4 names them", () => {
    const bad: string[] = [];
    for (const l of walked.leaves) {
      const a = Object.fromEntries(l.answers);
      const ids = l.step.conditions.map((c) => c.id);
      if (a.validity === "expired" && !ids.includes("expired")) bad.push(`${label(l)}: no expired`);
      if (a.destination_byo === "no" && !ids.includes("destination_no_byo"))
        bad.push(`${label(l)}: no destination_no_byo`);
    }
    expect(bad).toEqual([]);
  });

  it("needs_check lists exactly the unknowns that can still change the result, with whom to confirm", () => {
    const bad: string[] = [];
    for (const l of walked.leaves) {
      const a = Object.fromEntries(l.answers);
      if (l.step.route !== "needs_check") continue;
      const want = l.step.route === "needs_check" ? confirmList(a).map((q) => `${q}:${CONFIRM_WITH[q]}`) : [];
      const got = l.step.confirm.map((c) => `${c.question}:${c.with}`);
      if ([...want].sort().join(",") !== [...got].sort().join(","))
        bad.push(`${label(l)}: expected [${want}], got [${got}]`);
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });

  // Section 1: P2 is the rule for a certificate from us (the key must come out), P3 for one taken
  // as the hosting's option (certificate and key); section 4 applies P3's rule to other vendors too.
  it("a result cites P2 only for a certificate from us and P3 only for one that is not", () => {
    const bad: string[] = [];
    for (const l of walked.leaves) {
      const issuer = Object.fromEntries(l.answers).issuer;
      if (issuer === undefined) continue;
      const wrong = issuer === "us" ? "P3" : "P2";
      for (const c of [...l.step.conditions, ...l.step.notes, ...l.step.steps])
        if (c.passages.some((p) => p.id === wrong)) bad.push(`${label(l)}: ${c.id} cites ${wrong}`);
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });

  it("needs_check cites P1 and the passage behind each thing to confirm, and nothing else", () => {
    const passageOf = (question: string, issuer: string | undefined): string | undefined =>
      ({
        destination_byo: "P9",
        destination_install_method: "P5",
        key_exportable: issuer === "us" ? "P2" : "P3",
        cert_exportable: "P3",
        destination_csr: "P6",
        reissuable: "P6",
      })[question];
    const bad: string[] = [];
    for (const l of walked.leaves) {
      if (l.step.route !== "needs_check") continue;
      const issuer = Object.fromEntries(l.answers).issuer;
      const cited = new Set(l.step.conditions.flatMap((c) => c.passages.map((p) => p.id)));
      const wanted = new Set(["P1"]);
      for (const c of l.step.confirm) {
        const want = passageOf(c.question, issuer);
        if (want === undefined || !cited.has(want))
          bad.push(`${label(l)}: ${c.question} without ${want ?? "a known passage"}`);
        if (want !== undefined) wanted.add(want);
      }
      // A passage behind an answer that is not to be confirmed would send the customer checking it.
      for (const p of cited)
        if (!wanted.has(p)) bad.push(`${label(l)}: cites ${p}, behind nothing to confirm`);
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });

  it("reissue repeats that the CSR details cannot change (P6); handover-self tells about P11", () => {
    const bad: string[] = [];
    for (const l of walked.leaves) {
      const s = l.step;
      const all = [...s.conditions, ...s.notes, ...s.steps];
      if (s.route === "reissue" && !all.some((c) => c.passages.some((p) => p.id === "P6")))
        bad.push(`${label(l)}: reissue without P6`);
      if (s.route === "handover" && s.installer === "self") {
        const text = all.map((c) => c.text).join("\n");
        if (
          !/解約申請書/.test(text) ||
          !/CSR/.test(text) ||
          !all.some((c) => c.passages.some((p) => p.id === "P11"))
        )
          bad.push(`${label(l)}: handover/self lacks the P11 facts`);
      }
    }
    expect(bad).toEqual([]);
  });

  // Section 3: "When route A was only `unknown` and the outcome is `reissue`, add the tip that
  // exporting the private key would avoid the fee." With installer=us the fee is setup_first_year
  // whichever route, so that tip must not claim a fee saved (checked below).
  it("the fee is tied to its passage: P7 reissue by customer, P8 reissue installed by us, P10 handover by us", () => {
    const bad: string[] = [];
    for (const l of walked.leaves) {
      const s = l.step;
      const cited = new Set(
        [...s.conditions, ...s.notes, ...s.steps].flatMap((c) => c.passages.map((p) => p.id)),
      );
      const need =
        s.route === "reissue"
          ? s.installer === "self"
            ? "P7"
            : "P8"
          : s.route === "handover" && s.installer === "us"
            ? "P10"
            : undefined;
      if (need && !cited.has(need)) bad.push(`${label(l)}: ${need} not cited`);
    }
    expect(bad).toEqual([]);
  });

  it("a fee without a configured amount reads 'per the price list'", () => {
    expect(formatFee(computeFee(compiled.flow, "setup_first_year", "en"), "en").excludingTax).toBe(
      "per the price list",
    );
    expect(formatFee(computeFee(compiled.flow, "reissue_admin", "ja"), "ja").line).toMatch(
      /1,500円.*1,650円/,
    );
  });

  it("a tip appears exactly when route A was only unknown and the outcome is reissue, whoever installs", () => {
    const bad: string[] = [];
    const seen: Record<string, number> = { self: 0, us: 0 };
    for (const l of walked.leaves) {
      const d = decide(Object.fromEntries(l.answers));
      const want = l.step.route === "reissue" && d.A === "unknown";
      const tips = l.step.notes.filter((n) => /tip/.test(n.id));
      if (want !== (tips.length === 1))
        bad.push(`${label(l)}: tip expected ${want}, got ${l.step.notes.map((n) => n.id)}`);
      if (want && l.step.installer) seen[l.step.installer] = (seen[l.step.installer] ?? 0) + 1;
      // When we install, the setup fee is due either way: the tip must say so, not promise the fee away.
      for (const tip of tips) {
        // The walk is in Japanese.
        const claimsNoFee = /再発行手続き事務手数料もかかりません/.test(tip.text);
        const saysFeeStays = /SSL証明書設定料金（初年度）はどちらの方法でもかかります/.test(tip.text);
        if (l.step.installer === "us" ? claimsNoFee || !saysFeeStays : !claimsNoFee)
          bad.push(`${label(l)}: ${tip.id} wrong about the fee for installer ${l.step.installer}`);
      }
    }
    expect(bad).toEqual([]);
    expect(seen.self).toBeGreaterThan(0);
    expect(seen.us).toBeGreaterThan(0);
  });

  it("the asking rule does not depend on whether free facts may be unknown (sanity of the reading)", () => {
    const diffs: string[] = [];
    const rec = (answers: F) => {
      const q = QIDS.find((id) => answers[id] === undefined && relevant(answers, id));
      const q2 = QIDS.find((id) => answers[id] === undefined && relevant(answers, id, false));
      if (q !== q2) diffs.push(`${JSON.stringify(answers)}: ${q} vs ${q2}`);
      if (!q) return;
      for (const o of Q[IDX[q] as number]?.[1] ?? []) rec({ ...answers, [q]: o });
    };
    rec({});
    expect(diffs.slice(0, 5)).toEqual([]);
  });

  // Section 5, verbatim, with the asked list the table order implies.
  const examples: Array<{ answers: F; route: string; fee: string; installer?: string; asked: string[] }> = [
    { answers: { validity: "expired" }, route: "not_transferable", fee: "none", asked: ["validity"] },
    {
      answers: {
        validity: "valid",
        current_server: "our_shared",
        destination_server: "dedicated_vps_cloud",
        installer: "self",
      },
      route: "handover",
      installer: "self",
      fee: "none",
      asked: ["validity", "current_server", "destination_server", "installer"],
    },
    ...(["self", "us"] as const).map((installer) => ({
      answers: {
        validity: "valid",
        current_server: "other_shared",
        issuer: "us",
        key_exportable: "no",
        destination_server: "dedicated_vps_cloud",
        reissuable: "yes",
        csr_details_same: "yes",
        installer,
      },
      route: "reissue",
      installer,
      fee: installer === "self" ? "reissue_admin" : "setup_first_year",
      asked: [
        "validity",
        "current_server",
        "destination_server",
        "issuer",
        "key_exportable",
        "reissuable",
        "csr_details_same",
        "installer",
      ],
    })),
    {
      answers: {
        validity: "valid",
        current_server: "other_shared",
        issuer: "server_option",
        key_exportable: "yes",
        cert_exportable: "no",
        destination_server: "dedicated_vps_cloud",
      },
      route: "not_transferable",
      fee: "none",
      asked: [
        "validity",
        "current_server",
        "destination_server",
        "issuer",
        "key_exportable",
        "cert_exportable",
      ],
    },
    {
      answers: {
        validity: "valid",
        current_server: "dedicated_vps_cloud",
        destination_server: "shared",
        destination_byo: "no",
      },
      route: "not_transferable",
      fee: "none",
      asked: ["validity", "current_server", "destination_server", "destination_byo"],
    },
    {
      answers: {
        validity: "valid",
        current_server: "other_shared",
        issuer: "server_option",
        key_exportable: "unknown",
        cert_exportable: "yes",
        destination_server: "dedicated_vps_cloud",
      },
      route: "needs_check",
      fee: "none",
      asked: [
        "validity",
        "current_server",
        "destination_server",
        "issuer",
        "key_exportable",
        "cert_exportable",
      ],
    },
  ];
  for (const [i, ex] of examples.entries())
    it(`section 5 example ${i + 1}: ${ex.route}`, () => {
      const { asked, step } = runMap(ex.answers);
      expect(asked).toEqual(ex.asked);
      expect(step.kind).toBe("outcome");
      if (step.kind !== "outcome") return;
      expect(step.route).toBe(ex.route);
      expect(step.fee.code).toBe(ex.fee);
      if (ex.installer) expect(step.installer).toBe(ex.installer);
      // The reference agrees with the example too.
      const d = decide(ex.answers);
      expect([d.route, d.fee]).toEqual([ex.route, ex.fee]);
    });
});
