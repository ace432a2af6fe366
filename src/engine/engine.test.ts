import { describe, expect, it } from "vitest";
import { loadRealFlow } from "../../test/support/flow.ts";
import { describeStep } from "./describeStep.ts";
import {
  answerQuestion,
  type Consultation,
  changeAnswer,
  goBack,
  LANGS,
  type Progressed,
  type Result,
  restartConsultation,
  startConsultation,
  switchLanguage,
  viewConsultation,
} from "./index.ts";

const compiled = loadRealFlow();

function must<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** Reissue with route A only unknown because the key may not be exportable (installer still to add). */
const KEY_UNKNOWN_REISSUE: Array<[string, string]> = [
  ["validity", "valid"],
  ["current_server", "other_shared"],
  ["destination_server", "dedicated_vps_cloud"],
  ["issuer", "us"],
  ["key_exportable", "unknown"],
  ["reissuable", "yes"],
  ["csr_details_same", "yes"],
];
/** The same, but the files are at hand and the new host's install method is unknown. */
const UPLOAD_UNKNOWN_REISSUE: Array<[string, string]> = [
  ["validity", "valid"],
  ["current_server", "dedicated_vps_cloud"],
  ["destination_server", "shared"],
  ["destination_byo", "yes"],
  ["destination_install_method", "unknown"],
  ["issuer", "us"],
  ["destination_csr", "yes"],
  ["reissuable", "yes"],
  ["csr_details_same", "yes"],
];

function walk(answers: Array<[string, string]>, lang: "ja" | "en" = "ja"): Progressed {
  let at = startConsultation(compiled, lang);
  for (const [q, o] of answers) at = must(answerQuestion(compiled, at.consultation, q, o));
  return at;
}

const questionOf = (at: Progressed) => (at.step.kind === "question" ? at.step.question.id : "outcome");

describe("engine", () => {
  it("starts with the validity question, options in flow order, in Japanese by default", () => {
    const { step, consultation } = startConsultation(compiled, "ja");
    expect(consultation).toEqual({
      flowId: "ssl-migration",
      version: compiled.flow.version,
      lang: "ja",
      answers: [],
    });
    expect(step.kind).toBe("question");
    if (step.kind !== "question") return;
    expect(step.question.id).toBe("validity");
    expect(step.question.options.map((o) => o.id)).toEqual(["valid", "expired"]);
    expect(step.question.text).toMatch(/有効期限/);
    expect(step.question.help).toBeTruthy();
  });

  // Steps are compared and stored as plain data: a key present but undefined is not "no previous answer".
  it("leaves out previous and installer where there is none, rather than setting them to undefined", () => {
    const { step, consultation } = startConsultation(compiled, "ja");
    expect("previous" in step).toBe(false);
    const fixedFee = compiled.tree.nodes.find((n) => n.kind === "outcome" && n.feeBy === undefined);
    if (!fixedFee) throw new Error("the flow has no result with a fixed fee");
    const result = describeStep(compiled, fixedFee, consultation);
    expect(result.kind).toBe("outcome");
    expect("installer" in result).toBe(false);
  });

  it("speaks English when asked", () => {
    const { step } = startConsultation(compiled, "en");
    expect(step.kind === "question" && step.question.text).toMatch(/validity/);
  });

  it("gives a result card with fee, tax, conditions with passages, next steps and a summary", () => {
    const at = walk([
      ["validity", "valid"],
      ["current_server", "other_shared"],
      ["destination_server", "dedicated_vps_cloud"],
      ["issuer", "us"],
      ["key_exportable", "no"],
      ["reissuable", "yes"],
      ["csr_details_same", "yes"],
      ["installer", "self"],
    ]);
    expect(at.step.kind).toBe("outcome");
    if (at.step.kind !== "outcome") return;
    expect(at.step.route).toBe("reissue");
    expect(at.step.installer).toBe("self");
    expect(at.step.fee).toMatchObject({
      code: "reissue_admin",
      excludingTax: 1500,
      includingTax: 1650,
      taxRate: 0.1,
    });
    expect(at.step.conditions.find((c) => c.id === "csr_details_fixed")?.passages.map((p) => p.id)).toEqual([
      "P6",
    ]);
    expect(at.step.conditions.find((c) => c.id === "reissue_fee")?.passages.map((p) => p.id)).toEqual(["P7"]);
    // The key cannot leave the current server: route A is no, not just unknown.
    expect(at.step.conditions.map((c) => c.id)).toContain("files_cannot_move");
    // Passages are quoted, not just named; steps cite none.
    expect(at.step.conditions.find((c) => c.id === "reissue_fee")?.passages).toEqual([
      { id: "P7", text: compiled.flow.passages.P7?.ja },
    ]);
    expect(at.step.steps[0]).toEqual({
      id: "make_csr",
      text: "移転先のサーバーで、初回申請時と同じ内容でCSRを作成してください。",
      passages: [],
    });
    expect(at.step.steps.length).toBeGreaterThan(0);
    expect(at.step.answers.map((a) => a.question)).toEqual([
      "validity",
      "current_server",
      "destination_server",
      "issuer",
      "key_exportable",
      "reissuable",
      "csr_details_same",
      "installer",
    ]);
    expect(at.step.notes).toEqual([]);
    // The summary reads as the questions and buttons did.
    expect(at.step.answers[1]).toEqual({
      question: "current_server",
      questionText: "現在、SSL証明書はどのサーバーに設定されていますか？",
      option: "other_shared",
      optionLabel: "他社の共用サーバー（レンタルサーバー）",
    });
  });

  it("cites the passage of the part that failed: P2 for our certificate's key, P3 for another issuer's, P5 for a new server that takes no key", () => {
    const cites = (answers: Array<[string, string]>, condition: string) => {
      const at = walk(answers);
      if (at.step.kind !== "outcome") throw new Error(`no result after ${answers.join(" ")}`);
      return at.step.conditions.find((c) => c.id === condition)?.passages.map((p) => p.id);
    };
    const keyLocked = (issuer: string): Array<[string, string]> => [
      ["validity", "valid"],
      ["current_server", "other_shared"],
      ["destination_server", "dedicated_vps_cloud"],
      ["issuer", issuer],
      ["key_exportable", "no"],
    ];
    expect(cites([...keyLocked("us"), ["reissuable", "no"]], "key_not_exportable")).toEqual(["P2"]);
    expect(cites(keyLocked("server_option"), "key_not_exportable")).toEqual(["P3"]);
    expect(cites(keyLocked("other"), "key_not_exportable")).toEqual(["P3"]);
    const reissue: Array<[string, string]> = [
      ["reissuable", "yes"],
      ["csr_details_same", "yes"],
      ["installer", "self"],
    ];
    expect(cites([...keyLocked("us"), ...reissue], "files_cannot_move")).toEqual(["P2"]);
    const csrOnly: Array<[string, string]> = [
      ["validity", "valid"],
      ["current_server", "dedicated_vps_cloud"],
      ["destination_server", "shared"],
      ["destination_byo", "yes"],
      ["destination_install_method", "csr_only"],
      ["issuer", "us"],
    ];
    expect(cites([...csrOnly, ...reissue], "files_cannot_move")).toEqual(["P5"]);
  });

  it("adds the export-the-key tip when route A was only unknown and the result is a reissue", () => {
    const at = walk([...KEY_UNKNOWN_REISSUE, ["installer", "self"]]);
    expect(at.step.kind === "outcome" && at.step.notes.map((n) => n.id)).toEqual(["export_key_tip"]);
    // Route A is only unknown here, so the result does not say the files cannot move.
    expect(at.step.kind === "outcome" && at.step.conditions.map((c) => c.id)).not.toContain(
      "files_cannot_move",
    );
  });

  it("when only the new host's side of route A was unknown, the tip is to ask it about uploading the files", () => {
    // The files are at hand (a VPS); exporting them is not the question, the new host's install method is.
    const at = walk([...UPLOAD_UNKNOWN_REISSUE, ["installer", "self"]]);
    expect(at.step.kind === "outcome" && at.step.route).toBe("reissue");
    expect(at.step.kind === "outcome" && at.step.notes.map((n) => n.id)).toEqual(["upload_files_tip"]);
  });

  it("when we install, the tips still offer skipping the reissue but say the setup fee stays", () => {
    const keyUnknown = walk([...KEY_UNKNOWN_REISSUE, ["installer", "us"]]);
    const uploadUnknown = walk([...UPLOAD_UNKNOWN_REISSUE, ["installer", "us"]]);
    for (const [at, id] of [
      [keyUnknown, "export_key_tip_we_install"],
      [uploadUnknown, "upload_files_tip_we_install"],
    ] as const) {
      expect(at.step.kind === "outcome" && at.step.fee.code).toBe("setup_first_year");
      const notes = at.step.kind === "outcome" ? at.step.notes : [];
      expect(notes.map((n) => n.id)).toEqual([id]);
      expect(notes[0]?.text).toContain("再発行せずに");
      expect(notes[0]?.text).toContain("SSL証明書設定料金（初年度）はどちらの方法でもかかります");
      expect(notes[0]?.text).not.toContain("事務手数料もかかりません");
    }
  });

  it("handover with self install tells about the cancellation form, crt and key by email, and no CSR", () => {
    const at = walk([
      ["validity", "valid"],
      ["current_server", "our_shared"],
      ["destination_server", "dedicated_vps_cloud"],
      ["installer", "self"],
    ]);
    if (at.step.kind !== "outcome") throw new Error("expected an outcome");
    const text = [...at.step.conditions, ...at.step.steps].map((c) => c.text).join("\n");
    expect(text).toMatch(/解約申請書/);
    expect(text).toMatch(/crt/);
    expect(text).toMatch(/key/);
    expect(text).toMatch(/CSRファイルはお渡ししておりません/);
    expect(at.step.conditions.find((c) => c.id === "we_send_files")?.passages.map((p) => p.id)).toEqual([
      "P11",
    ]);
  });

  it("needs_check says what to confirm and with whom", () => {
    const at = walk([
      ["validity", "valid"],
      ["current_server", "other_shared"],
      ["destination_server", "shared"],
      ["destination_byo", "unknown"],
      ["issuer", "us"],
      ["key_exportable", "unknown"],
    ]);
    if (at.step.kind !== "outcome") throw new Error(`expected an outcome, still asking ${questionOf(at)}`);
    expect(at.step.route).toBe("needs_check");
    expect(at.step.confirm.map((c) => [c.question, c.with])).toEqual([
      ["destination_byo", "new_host"],
      ["key_exportable", "current_host"],
    ]);
    expect(at.step.confirm[0]?.text).toBe(
      "移転先の共用サーバーが独自SSLの持ち込み（他社で取得した証明書の設定）に対応しているか",
    );
  });

  it("lists only the unknowns that still matter", () => {
    const at = walk([
      ["validity", "valid"],
      ["current_server", "other_shared"],
      ["destination_server", "dedicated_vps_cloud"],
      ["issuer", "server_option"],
      ["key_exportable", "unknown"],
      ["cert_exportable", "yes"],
    ]);
    expect(at.step.kind === "outcome" && at.step.confirm.map((c) => c.question)).toEqual(["key_exportable"]);
  });

  it("lists both unknowns when one hides the other: the key and the new host's install method", () => {
    // Moving the files needs both; with either still unknown, finding out the other alone changes nothing.
    const at = walk([
      ["validity", "valid"],
      ["current_server", "other_shared"],
      ["destination_server", "shared"],
      ["destination_byo", "yes"],
      ["destination_install_method", "unknown"],
      ["issuer", "us"],
      ["key_exportable", "unknown"],
      ["destination_csr", "no"],
    ]);
    if (at.step.kind !== "outcome") throw new Error(`expected an outcome, still asking ${questionOf(at)}`);
    expect(at.step.route).toBe("needs_check");
    expect(at.step.confirm.map((c) => [c.question, c.with])).toEqual([
      ["destination_install_method", "new_host"],
      ["key_exportable", "current_host"],
    ]);
  });

  it("goes back one answer at a time and refuses to go back from the start", () => {
    const at = walk([
      ["validity", "valid"],
      ["current_server", "our_shared"],
    ]);
    const back = must(goBack(compiled, at.consultation));
    expect(questionOf(back)).toBe("current_server");
    expect(back.consultation.answers).toEqual([["validity", "valid"]]);
    const start = must(goBack(compiled, back.consultation));
    expect(questionOf(start)).toBe("validity");
    const refused = goBack(compiled, start.consultation);
    expect(refused.ok === false && refused.error.code).toBe("nothing_to_undo");
  });

  it("changes an earlier answer, keeping later answers that still apply and not asking them again", () => {
    const before = walk([
      ["validity", "valid"],
      ["current_server", "other_shared"],
      ["destination_server", "dedicated_vps_cloud"],
      ["issuer", "server_option"],
    ]);
    const asking = must(changeAnswer(compiled, before.consultation, "current_server"));
    expect(questionOf(asking)).toBe("current_server");
    expect(asking.step.kind === "question" && asking.step.previous).toBe("other_shared");
    // Only the changed answer and those after it are set aside: the state rides in a Slack button.
    expect(asking.consultation.answers).toEqual([["validity", "valid"]]);
    expect(asking.consultation.kept).toEqual({
      current_server: "other_shared",
      destination_server: "dedicated_vps_cloud",
      issuer: "server_option",
    });
    const after = must(answerQuestion(compiled, asking.consultation, "current_server", "our_shared"));
    // destination_server is reused; issuer no longer matters; installer is new.
    expect(after.consultation.answers).toEqual([
      ["validity", "valid"],
      ["current_server", "our_shared"],
      ["destination_server", "dedicated_vps_cloud"],
    ]);
    expect(questionOf(after)).toBe("installer");
    expect(after.consultation.kept).toBeUndefined();
  });

  it("asks again, instead of reusing, a kept answer that is not an option of its question (a tampered button)", () => {
    const tampered: Consultation = {
      ...startConsultation(compiled, "ja").consultation,
      answers: [["validity", "valid"]],
      kept: { current_server: "other_shared", destination_server: "moon", issuer: "us" },
    };
    const after = must(answerQuestion(compiled, tampered, "current_server", "our_shared"));
    expect(after.consultation.answers).toEqual([
      ["validity", "valid"],
      ["current_server", "our_shared"],
    ]);
    expect(questionOf(after)).toBe("destination_server");
    expect(after.consultation.kept).toBeUndefined();
  });

  it("speaks the flow's languages, Japanese first (the rules put Japanese wording first)", () => {
    const texts = compiled.flow.questions.map((q) => Object.keys(q.text).sort());
    for (const keys of texts) expect(keys).toEqual([...LANGS].sort());
    expect(LANGS[0]).toBe("ja");
    for (const lang of LANGS) expect(startConsultation(compiled, lang).consultation.lang).toBe(lang);
  });

  it("shows progress: the answers so far and the most questions any path can still ask", () => {
    const start = startConsultation(compiled, "ja");
    // The shortest path is one question (expired); the longest asks eleven.
    expect(start.step.kind === "question" && start.step.progress).toEqual({
      answered: 0,
      remainingAtMost: 11,
    });
    const at = walk([
      ["validity", "valid"],
      ["current_server", "our_shared"],
    ]);
    expect(at.step.kind === "question" && at.step.progress).toEqual({ answered: 2, remainingAtMost: 8 });
  });

  it("changes the first answer too; going back during a change abandons it without undoing another answer", () => {
    const before = walk([
      ["validity", "valid"],
      ["current_server", "other_shared"],
      ["destination_server", "dedicated_vps_cloud"],
    ]);
    const first = must(changeAnswer(compiled, before.consultation, "validity"));
    expect(questionOf(first)).toBe("validity");
    expect(first.step.kind === "question" && first.step.previous).toBe("valid");
    const dropped = must(goBack(compiled, first.consultation));
    expect(questionOf(dropped)).toBe("validity");
    expect(dropped.consultation.kept).toBeUndefined();

    const changing = must(changeAnswer(compiled, before.consultation, "current_server"));
    const back = must(goBack(compiled, changing.consultation));
    expect(questionOf(back)).toBe("current_server");
    expect(back.consultation.answers).toEqual([["validity", "valid"]]);
    expect(back.consultation.kept).toBeUndefined();
  });

  it("restarts in the same language and switches language without losing answers", () => {
    const at = walk([["validity", "valid"]], "en");
    const ja = must(switchLanguage(compiled, at.consultation, "ja"));
    expect(ja.consultation.answers).toEqual(at.consultation.answers);
    expect(ja.step.kind === "question" && ja.step.question.text).toMatch(/サーバー/);
    const again = restartConsultation(compiled, at.consultation);
    expect(again.consultation.answers).toEqual([]);
    expect(again.consultation.lang).toBe("en");
  });

  it("reports invalid input as typed errors and never changes the consultation", () => {
    const at = walk([["validity", "valid"]]);
    const frozen = structuredClone(at.consultation);
    const cases: Array<[Result<Progressed>, string]> = [
      [answerQuestion(compiled, at.consultation, "nope", "yes"), "unknown_question"],
      [answerQuestion(compiled, at.consultation, "current_server", "moon"), "unknown_option"],
      [answerQuestion(compiled, at.consultation, "issuer", "us"), "not_asked"],
      [answerQuestion(compiled, at.consultation, "validity", "expired"), "not_asked"],
      [changeAnswer(compiled, at.consultation, "issuer"), "not_answered"],
      [changeAnswer(compiled, at.consultation, "nope"), "unknown_question"],
    ];
    for (const [result, code] of cases) expect(result.ok === false && result.error.code).toBe(code);
    expect(at.consultation).toEqual(frozen);
  });

  it("explains each typed error in words (the chat and replay tools print them)", () => {
    const at = walk([["validity", "valid"]]);
    const done = walk([["validity", "expired"]]);
    const messages = [
      answerQuestion(compiled, at.consultation, "nope", "yes"),
      answerQuestion(compiled, at.consultation, "current_server", "moon"),
      answerQuestion(compiled, at.consultation, "issuer", "us"),
      answerQuestion(compiled, done.consultation, "current_server", "our_shared"),
      changeAnswer(compiled, at.consultation, "issuer"),
      changeAnswer(compiled, at.consultation, "nope"),
      goBack(compiled, startConsultation(compiled, "ja").consultation),
      viewConsultation(compiled, { ...at.consultation, version: 99 }),
    ].map((r) => (r.ok ? "ok" : r.error.message));
    expect(messages).toEqual([
      'unknown question "nope"',
      'unknown option "moon" for question "current_server"',
      'question "issuer" is not being asked (the current question is "current_server")',
      "the consultation has already reached its result",
      'question "issuer" has not been answered, so it cannot be changed',
      'unknown question "nope"',
      "there is no earlier question to go back to",
      `this consultation was made with ssl-migration v99; the current flow is ssl-migration v${compiled.flow.version}`,
    ]);
  });

  it("refuses to answer after the result and detects a consultation from another flow version", () => {
    const done = walk([["validity", "expired"]]);
    const after = answerQuestion(compiled, done.consultation, "current_server", "our_shared");
    expect(after.ok === false && after.error.code).toBe("finished");
    const old: Consultation = { ...done.consultation, version: compiled.flow.version + 1 };
    const mismatch = viewConsultation(compiled, old);
    expect(mismatch.ok === false && mismatch.error.code).toBe("flow_mismatch");
    const started = { ...startConsultation(compiled, "ja").consultation, version: compiled.flow.version + 1 };
    const answered = answerQuestion(compiled, started, "validity", "valid");
    expect(answered.ok === false && answered.error.code).toBe("flow_mismatch");
    const otherFlow = viewConsultation(compiled, { ...done.consultation, flowId: "another-flow" });
    expect(otherFlow.ok === false && otherFlow.error.code).toBe("flow_mismatch");
  });

  it("rejects a tampered answer history (an answer that was never asked at that point)", () => {
    const tampered: Consultation = {
      flowId: "ssl-migration",
      version: compiled.flow.version,
      lang: "ja",
      answers: [
        ["validity", "valid"],
        ["issuer", "us"],
      ],
    };
    const result = viewConsultation(compiled, tampered);
    expect(result.ok === false && result.error.code).toBe("not_asked");
    const answered = answerQuestion(compiled, tampered, "destination_server", "shared");
    expect(answered.ok === false && answered.error.code).toBe("not_asked");
  });
});
