import { describe, expect, it } from "vitest";
import { answerQuestion, type Consultation, startConsultation } from "../../src/engine/index.ts";
import { type ClickDecision, decideClick } from "../../src/slack/consult/click.ts";
import { UI } from "../../src/slack/i18n.ts";
import { actionIds } from "../../src/slack/state/actionIds.ts";
import { type ButtonState, encodeState } from "../../src/slack/state/codec.ts";
import { REISSUE_BEFORE_INSTALLER } from "../support/flow.ts";
import { loadDefaultFlow } from "../support/harness.ts";
import { actionIdsIn } from "../support/payloads.ts";

/**
 * The pure click decision, without Slack: which button, whose, on which
 * screen, with or without a staff channel.
 */

const compiled = loadDefaultFlow();
const OWNER = "UOWNER1";
const COMMAND = "/ssl-move";
const ID = "clickTest123";

const REISSUE = REISSUE_BEFORE_INSTALLER;

/** The consultation after answering each question the flow asks from `answers`, until one is not there. */
function consultationAfter(answers: Record<string, string>, lang: "ja" | "en" = "ja"): Consultation {
  let { consultation, step } = startConsultation(compiled, lang);
  while (step.kind === "question" && answers[step.question.id] !== undefined) {
    const q = step.question.id;
    const next = answerQuestion(compiled, consultation, q, answers[q] as string);
    if (!next.ok) throw new Error(`cannot answer ${q}: ${next.error.message}`);
    ({ consultation, step } = next.value);
  }
  return consultation;
}

function stateOf(consultation: Consultation, seq = 3): ButtonState {
  return { consultation, owner: OWNER, id: ID, seq };
}

function click(
  state: ButtonState | string,
  actionId: string,
  options: { user?: string; staff?: boolean } = {},
): ClickDecision {
  const value = typeof state === "string" ? state : encodeState(state);
  return decideClick(
    compiled,
    { actionId, value, user: options.user ?? OWNER },
    { command: COMMAND, ...(options.staff === undefined ? {} : { staff: options.staff }) },
  );
}

const text = (d: ClickDecision) => JSON.stringify(d.message.blocks);
const ids = (d: ClickDecision) => actionIdsIn(d.message.blocks);

/** A result card that needs us (we install): it offers "Ask staff" when a staff channel is set. */
const needsUs = stateOf(consultationAfter({ ...REISSUE, installer: "us" }));
/** A result card the customer handles alone: no handoff to offer. */
const selfInstall = stateOf(consultationAfter({ ...REISSUE, installer: "self" }));
/** The second question's screen. */
const question = stateOf(consultationAfter({ validity: "valid" }));

describe("decideClick", () => {
  it("an unreadable value, an unknown action id, or the staff channel's take button on a consultation: the 'cannot read' notice", () => {
    const unreadable = { kind: "notice", reason: "unreadable", message: { text: UI.ja.unreadable(COMMAND) } };
    expect(click("garbage|value", actionIds.back)).toMatchObject(unreadable);
    expect(click(question, "nav:sideways")).toMatchObject(unreadable);
    expect(click(question, actionIds.take)).toMatchObject(unreadable);
    expect(click(question, actionIds.take, { staff: true })).toMatchObject(unreadable);
  });

  it("another user's click is refused with a notice naming the owner, in both languages", () => {
    const d = click(needsUs, actionIds.askStaff, { user: "UINTRUDER", staff: true });
    expect(d).toMatchObject({
      kind: "notice",
      reason: "not_owner",
      message: { text: `${UI.ja.notOwner(OWNER, COMMAND)}\n${UI.en.notOwner(OWNER, COMMAND)}` },
    });
  });

  it("an answer redraws in place with the next screen, the same id, the screen counter one up", () => {
    const d = click(question, actionIds.answer("current_server", "other_shared"));
    expect(d.kind).toBe("replace");
    if (d.kind !== "replace") return;
    expect(d.before).toEqual(question);
    expect(d.state).toMatchObject({ owner: OWNER, id: ID, seq: 4 });
    expect(d.action).toEqual({ kind: "answer", question: "current_server", option: "other_shared" });
    expect(d.progressed?.step.kind).toBe("question");
  });

  it("the result card a click leads to offers 'Ask staff' only when a staff channel is set and the result needs us", () => {
    const last = stateOf(consultationAfter(REISSUE));
    const withStaff = click(last, actionIds.answer("installer", "us"), { staff: true });
    expect(withStaff.kind).toBe("replace");
    expect(ids(withStaff)).toContain(actionIds.askStaff);
    for (const staff of [false, undefined])
      expect(ids(click(last, actionIds.answer("installer", "us"), { staff }))).not.toContain(
        actionIds.askStaff,
      );
    expect(ids(click(last, actionIds.answer("installer", "self"), { staff: true }))).not.toContain(
      actionIds.askStaff,
    );
  });

  it("start keeps the consultation's language unless the button names one; it asks the first question again", () => {
    const en = stateOf(consultationAfter({ validity: "valid" }, "en"));
    const keep = click(en, actionIds.start());
    expect(keep.kind).toBe("replace");
    if (keep.kind !== "replace") return;
    expect(keep.state.consultation).toMatchObject({ lang: "en", answers: [] });
    expect(keep.state.seq).toBe(en.seq + 1);
    expect(ids(keep)).toContain(actionIds.answer("validity", "valid"));
    const ja = click(en, actionIds.start("ja"));
    expect(ja.kind === "replace" && ja.state.consultation.lang).toBe("ja");
    const toEn = click(question, actionIds.start("en"));
    expect(toEn.kind === "replace" && toEn.state.consultation.lang).toBe("en");
  });

  it("start over is a new consultation with a stable id: a double click names the same one, another screen another", () => {
    const d = click(question, actionIds.restart);
    expect(d.kind).toBe("replace");
    if (d.kind !== "replace") return;
    expect(d.state.id).not.toBe(ID);
    expect(d.state.seq).toBe(1);
    expect(d.state.consultation.answers).toEqual([]);
    const again = click(question, actionIds.restart);
    expect(again.kind === "replace" && again.state.id).toBe(d.state.id);
    const later = click(stateOf(question.consultation, 4), actionIds.restart);
    expect(later.kind === "replace" && later.state.id).not.toBe(d.state.id);
  });

  it("a button drawn with another flow version is replaced by the version notice, state unchanged", () => {
    const old = stateOf({ ...question.consultation, version: question.consultation.version + 1 });
    const d = click(old, actionIds.answer("current_server", "other_shared"));
    expect(d).toMatchObject({ kind: "replace", state: old, before: old });
    expect(ids(d)).toEqual([actionIds.restart]);
  });

  it("a button that no longer fits its screen gets the 'stale' notice in the consultation's language", () => {
    const en = stateOf(consultationAfter({ validity: "valid" }, "en"));
    expect(click(en, actionIds.answer("installer", "us"))).toMatchObject({
      kind: "notice",
      reason: "stale",
      message: { text: UI.en.stale },
    });
  });

  it("share posts the result card without buttons, naming who shared it; from a question screen it is stale", () => {
    const d = click(selfInstall, actionIds.share);
    expect(d).toMatchObject({ kind: "share", before: selfInstall });
    expect(ids(d)).toEqual([]);
    expect(text(d)).toContain(`<@${OWNER}>`);
    expect(click(question, actionIds.share)).toMatchObject({ kind: "notice", reason: "stale" });
    const broken = stateOf({ ...question.consultation, answers: [["validity", "no_such_option"]] });
    expect(click(broken, actionIds.share)).toMatchObject({ kind: "notice", reason: "stale" });
  });

  it("ask staff hands over a result that needs us and redraws it as asked, without the button", () => {
    const d = click(needsUs, actionIds.askStaff, { staff: true });
    expect(d.kind).toBe("ask_staff");
    if (d.kind !== "ask_staff") return;
    expect(d.before).toEqual(needsUs);
    expect(d.step).toMatchObject({ kind: "outcome", installer: "us" });
    expect(text(d)).toContain(JSON.stringify(UI.ja.handoffAsked).slice(1, -1));
    expect(ids(d)).not.toContain(actionIds.askStaff);
    expect(ids(d)).toContain(actionIds.share);
  });

  it("ask staff is stale without a staff channel, on a result that does not need us, on a question, or on a broken state", () => {
    const stale = { kind: "notice", reason: "stale", message: { text: UI.ja.stale } };
    expect(click(needsUs, actionIds.askStaff)).toMatchObject(stale);
    expect(click(needsUs, actionIds.askStaff, { staff: false })).toMatchObject(stale);
    expect(click(selfInstall, actionIds.askStaff, { staff: true })).toMatchObject(stale);
    expect(click(question, actionIds.askStaff, { staff: true })).toMatchObject(stale);
    const broken = stateOf({ ...needsUs.consultation, answers: [["validity", "no_such_option"]] });
    expect(click(broken, actionIds.askStaff, { staff: true })).toMatchObject(stale);
  });
});
