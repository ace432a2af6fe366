import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answerQuestion,
  changeAnswer,
  goBack,
  LANGS,
  type Lang,
  type OutcomeStep,
  type Progressed,
  startConsultation,
  switchLanguage,
} from "../../src/engine/index.ts";
import { type CompiledFlow, compileFlowText, loadFlowFile } from "../../src/flow/loadFlow.ts";
import { defaultFlowFile } from "../../src/paths.ts";
import type { FakeMessage, RecordedCall } from "../../src/slack/fakeSlack/index.ts";
import { UI } from "../../src/slack/i18n.ts";
import type { SlackMessage } from "../../src/slack/render/blocks.ts";
import { renderStep } from "../../src/slack/render/message.ts";
import { renderNotice, renderVersionChanged } from "../../src/slack/render/notice.ts";
import { offersHandoff, renderOutcome } from "../../src/slack/render/outcome.ts";
import {
  type CustomerPlace,
  handoffSummary,
  renderAlreadyTaken,
  renderStaffRequest,
  renderStaffTaken,
  renderTakeFailed,
} from "../../src/slack/render/staff.ts";
import { renderHelp, renderHome, renderStartOffer } from "../../src/slack/render/start.ts";
import {
  renderStats,
  STATS_DAYS,
  statsBlocks,
  statsSince,
  statsUnavailable,
} from "../../src/slack/render/stats.ts";
import type { ButtonState } from "../../src/slack/state/codec.ts";
import { loadRealFlow } from "../support/flow.ts";
import { Harness } from "../support/harness.ts";
import { actionIdsIn, appHomeOpened, appMention, directMessage } from "../support/payloads.ts";
import { testRecords } from "./recordsSupport.ts";

// ─── Slack's documented limits, with where they are written ───────────────────
const DOC = {
  blocks: "https://docs.slack.dev/reference/block-kit/blocks",
  section: "https://docs.slack.dev/reference/block-kit/blocks/section-block",
  header: "https://docs.slack.dev/reference/block-kit/blocks/header-block",
  context: "https://docs.slack.dev/reference/block-kit/blocks/context-block",
  actions: "https://docs.slack.dev/tools/node-slack-sdk/reference/types/interfaces/ActionsBlock",
  button: "https://docs.slack.dev/reference/block-kit/block-elements/button-element",
  textObject: "https://docs.slack.dev/reference/block-kit/composition-objects/text-object",
  escaping: "https://api.slack.com/docs/message-formatting",
  postMessage: "https://api.slack.com/methods/chat.postMessage",
  postEphemeral: "https://docs.slack.dev/reference/methods/chat.postEphemeral/",
  update: "https://docs.slack.dev/reference/methods/chat.update/",
  publish: "https://docs.slack.dev/reference/methods/views.publish",
} as const;

const LIMIT = {
  messageBlocks: 50, // DOC.blocks: "up to 50 blocks in each message"
  viewBlocks: 100, // DOC.blocks: "100 blocks in modals or Home tabs"
  blockId: 255, // every block page
  sectionText: 3000, // DOC.section: "Minimum length … 1 and maximum length is 3000"
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150, // DOC.header
  contextElements: 10, // DOC.context
  textObject: 3000, // DOC.textObject: "minimum length is 1 and maximum length is 3000"
  actionsElements: 25, // DOC.actions: "maximum of 25 elements in each action block"
  buttonText: 75, // DOC.button
  buttonValue: 2000,
  actionId: 255,
  messageText: 40_000, // DOC.postMessage (text truncated past 40,000)
} as const;

type Json = Record<string, unknown>;
/** Slack counts characters; counting UTF-16 units is the stricter reading and is used here. */
const len = (s: unknown) => (typeof s === "string" ? s.length : 0);

// A mrkdwn text may contain &, < and > only as entities or inside Slack's own <…> tokens (DOC.escaping).
const TOKEN =
  /<(?:[@#][UWCGD][A-Z0-9]+(?:\|[^<>]*)?|![a-z][^<>]*|(?:https?:\/\/|mailto:)[^\s<>|]+(?:\|[^<>]*)?)>/g;
function rawControlChars(text: string): string[] {
  const rest = text.replace(TOKEN, "");
  const found: string[] = [];
  for (const m of rest.matchAll(/[<>]|&(?!amp;|lt;|gt;)/g)) found.push(m[0]);
  return found;
}

/** Every documented Block Kit problem in a list of blocks, with the measured value. */
function blockProblems(blocks: unknown, surface: "message" | "home"): string[] {
  const problems: string[] = [];
  if (!Array.isArray(blocks)) return ["blocks is not an array"];
  const max = surface === "home" ? LIMIT.viewBlocks : LIMIT.messageBlocks;
  if (blocks.length === 0 || blocks.length > max)
    problems.push(`${blocks.length} blocks (1 to ${max}, ${DOC.blocks})`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  const text = (at: string, t: unknown, max: number, types: string[]) => {
    const o = t as Json | undefined;
    if (!o || !types.includes(String(o.type))) problems.push(`${at}: text type ${String(o?.type)}`);
    else if (len(o.text) < 1 || len(o.text) > max)
      problems.push(`${at}: ${len(o.text)} characters (1 to ${max})`);
    else if (o.type === "mrkdwn")
      for (const c of rawControlChars(String(o.text))) problems.push(`${at}: unescaped ${c} in mrkdwn`);
  };
  const button = (at: string, raw: unknown) => {
    const b = raw as Json;
    if (b.type !== "button") {
      problems.push(`${at}: element type ${String(b.type)} not expected`);
      return;
    }
    text(`${at} text`, b.text, LIMIT.buttonText, ["plain_text"]);
    if (len(b.value) > LIMIT.buttonValue)
      problems.push(`${at}: value ${len(b.value)} > ${LIMIT.buttonValue}`);
    if (typeof b.action_id !== "string" || len(b.action_id) < 1 || len(b.action_id) > LIMIT.actionId)
      problems.push(`${at}: action_id ${String(b.action_id)}`);
    else if (actionIds.has(b.action_id)) problems.push(`${at}: duplicate action_id ${b.action_id}`);
    else actionIds.add(b.action_id);
    if (b.style !== undefined && b.style !== "primary" && b.style !== "danger")
      problems.push(`${at}: style ${String(b.style)}`);
  };
  blocks.forEach((raw, i) => {
    const block = raw as Json;
    const at = `blocks[${i}] ${String(block.type)}${block.block_id ? ` (${String(block.block_id)})` : ""}`;
    if (block.block_id !== undefined) {
      const id = block.block_id;
      if (typeof id !== "string" || len(id) < 1 || len(id) > LIMIT.blockId) problems.push(`${at}: block_id`);
      else if (blockIds.has(id)) problems.push(`${at}: duplicate block_id`);
      else blockIds.add(id);
    }
    switch (block.type) {
      case "section":
        if (block.text === undefined && block.fields === undefined)
          problems.push(`${at}: no text, no fields`);
        if (block.text !== undefined) text(at, block.text, LIMIT.sectionText, ["mrkdwn", "plain_text"]);
        if (block.fields !== undefined) {
          const fields = Array.isArray(block.fields) ? block.fields : [];
          if (fields.length < 1 || fields.length > LIMIT.sectionFields) problems.push(`${at}: fields`);
          for (const [j, f] of fields.entries())
            text(`${at} field ${j}`, f, LIMIT.fieldText, ["mrkdwn", "plain_text"]);
        }
        if (block.accessory !== undefined) button(`${at} accessory`, block.accessory);
        break;
      case "header":
        text(at, block.text, LIMIT.headerText, ["plain_text"]);
        break;
      case "context": {
        const els = Array.isArray(block.elements) ? block.elements : [];
        if (els.length < 1 || els.length > LIMIT.contextElements)
          problems.push(`${at}: ${els.length} elements (1 to ${LIMIT.contextElements})`);
        for (const [j, e] of els.entries())
          text(`${at} element ${j}`, e, LIMIT.textObject, ["mrkdwn", "plain_text"]);
        break;
      }
      case "actions": {
        const els = Array.isArray(block.elements) ? block.elements : [];
        if (els.length < 1 || els.length > LIMIT.actionsElements)
          problems.push(`${at}: ${els.length} elements (1 to ${LIMIT.actionsElements})`);
        for (const [j, e] of els.entries()) button(`${at} element ${j}`, e);
        break;
      }
      case "divider":
        break;
      default:
        problems.push(`${at}: block type not expected`);
    }
  });
  return problems;
}

/** A message body: blocks, plus the top-level `text` (mrkdwn by default) as notification fallback. */
function messageProblems(m: { text?: unknown; blocks?: unknown }): string[] {
  const problems = blockProblems(m.blocks, "message");
  if (typeof m.text !== "string" || m.text.trim() === "") problems.push("no top-level text fallback");
  else {
    if (len(m.text) > LIMIT.messageText) problems.push(`text ${len(m.text)} > ${LIMIT.messageText}`);
    for (const c of rawControlChars(m.text))
      problems.push(`top-level text: unescaped ${c} (${DOC.escaping})`);
  }
  return problems;
}

const CHANNEL_ID = /^[CGD][A-Z0-9]+$/;
const USER_ID = /^[UW][A-Z0-9]+$/;

/** What each method Slack's reference says is required, for one recorded call. */
function callProblems(call: RecordedCall): string[] {
  const a = call.args;
  const problems: string[] = [];
  const need = (key: string, test: (v: unknown) => boolean, doc: string) => {
    if (!test(a[key]))
      problems.push(`${call.method}: ${key} ${JSON.stringify(a[key])?.slice(0, 60)} (${doc})`);
  };
  const str = (v: unknown) => typeof v === "string" && v !== "";
  const message = () => problems.push(...messageProblems(a).map((p) => `${call.method}: ${p}`));
  switch (call.method) {
    case "chat.postMessage":
      need("channel", str, DOC.postMessage);
      message();
      break;
    case "chat.postEphemeral":
      need("channel", (v) => str(v) && CHANNEL_ID.test(v as string), DOC.postEphemeral);
      need("user", (v) => str(v) && USER_ID.test(v as string), DOC.postEphemeral);
      message();
      break;
    case "chat.update":
      // "For direct messages, ensure that this value is a DM ID (starts with D) instead of a User ID".
      need("channel", (v) => str(v) && CHANNEL_ID.test(v as string), DOC.update);
      need("ts", (v) => str(v) && /^\d+\.\d+$/.test(v as string), DOC.update);
      message();
      break;
    case "views.publish": {
      need("user_id", (v) => str(v) && USER_ID.test(v as string), DOC.publish);
      const view = a.view as Json | undefined;
      if (view?.type !== "home") problems.push("views.publish: view.type is not home");
      problems.push(...blockProblems(view?.blocks, "home").map((p) => `views.publish: ${p}`));
      break;
    }
    case "users.info":
      need("user", str, "https://docs.slack.dev/reference/methods/users.info");
      break;
    case "response_url": {
      message();
      if (
        a.response_type !== undefined &&
        a.response_type !== "ephemeral" &&
        a.response_type !== "in_channel"
      )
        problems.push(`response_url: response_type ${String(a.response_type)}`);
      // replace_original needs a message to replace: a slash command's response_url has none.
      if (a.replace_original === true && call.responseContext && call.responseContext.messageTs === undefined)
        problems.push("response_url: replace_original on a slash command's response_url");
      // A notice or a shared copy from a click must not replace the card: say replace_original: false.
      const fromClick = call.responseContext?.messageTs !== undefined;
      if (fromClick && a.response_type !== undefined && a.replace_original !== false)
        problems.push("response_url: a new message without replace_original: false");
      break;
    }
    case "auth.test":
    case "apps.connections.open":
      break;
    default:
      problems.push(`${call.method}: method not checked`);
  }
  return problems;
}

describe("the checkers themselves (so that a passing sweep means something)", () => {
  const button = (text: string, id: string, value = "v") => ({
    type: "button",
    action_id: id,
    text: { type: "plain_text", text },
    value,
  });
  it("reject what Slack rejects", () => {
    const bad = (blocks: unknown[]) => blockProblems(blocks, "message").length > 0;
    expect(bad(Array.from({ length: 51 }, () => ({ type: "divider" })))).toBe(true);
    expect(bad([{ type: "section", text: { type: "mrkdwn", text: "" } }])).toBe(true);
    expect(bad([{ type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } }])).toBe(true);
    expect(bad([{ type: "section", text: { type: "mrkdwn", text: "R&D <x>" } }])).toBe(true);
    expect(bad([{ type: "header", text: { type: "plain_text", text: "x".repeat(151) } }])).toBe(true);
    expect(bad([{ type: "actions", elements: [button("x".repeat(76), "a")] }])).toBe(true);
    expect(bad([{ type: "actions", elements: [button("a", "a"), button("b", "a")] }])).toBe(true);
    expect(bad([{ type: "actions", elements: [button("a", "a", "v".repeat(2001))] }])).toBe(true);
    expect(
      bad([{ type: "actions", elements: Array.from({ length: 26 }, (_, i) => button("b", `a${i}`)) }]),
    ).toBe(true);
    expect(bad([{ type: "context", block_id: "x", elements: [] }])).toBe(true);
    expect(
      bad([
        { type: "divider", block_id: "x" },
        { type: "divider", block_id: "x" },
      ]),
    ).toBe(true);
    expect(
      bad([
        {
          type: "section",
          text: { type: "mrkdwn", text: "<@U123> <#C123> &amp; &lt;x&gt; <https://a.b|c>" },
        },
      ]),
    ).toBe(false);
    const call = (method: string, args: Record<string, unknown>) =>
      callProblems({ seq: 1, kind: "api", method, args, status: 200, ok: true, at: 0 });
    const message = { text: "t", blocks: [{ type: "divider" }] };
    expect(call("chat.update", { ...message, channel: "U123", ts: "1.2" })).not.toEqual([]);
    expect(call("chat.update", { ...message, channel: "D123", ts: "1.2" })).toEqual([]);
    expect(call("chat.postEphemeral", { ...message, channel: "C1" })).not.toEqual([]);
    expect(call("chat.postMessage", { blocks: message.blocks, channel: "C1" })).not.toEqual([]);
    expect(call("views.publish", { view: { type: "home", blocks: message.blocks } })).not.toEqual([]);
  });
});

// ─── Every screen the renderers produce for the shipped flow ─────────────────
const compiled = loadRealFlow();
// Worst cases: the codec accepts user ids up to 40 characters; seq up to 9 digits.
const OWNER = `U${"A".repeat(39)}`;
const STAFF = `W${"B".repeat(39)}`;
const LONG_COMMAND = `/${"s".repeat(31)}`; // Slack command names: 32 characters at most
const CONSULTATION_ID = "Ab-_Cd1234567890Ab-_Cd1234567890"; // 32, the codec's longest
const SEQ = 999_999_999;

interface Screen {
  name: string;
  message: SlackMessage;
}

function stateOf(p: Progressed, seq = SEQ): ButtonState {
  return { consultation: p.consultation, owner: OWNER, id: CONSULTATION_ID, seq };
}

/** Every state reachable by answering, in one language. */
function walk(flow: CompiledFlow, lang: Lang): Progressed[] {
  const seen: Progressed[] = [];
  const visit = (at: Progressed) => {
    seen.push(at);
    if (at.step.kind !== "question") return;
    for (const o of at.step.question.options) {
      const next = answerQuestion(flow, at.consultation, at.step.question.id, o.id);
      if (!next.ok) throw new Error(next.error.message);
      visit(next.value);
    }
  };
  visit(startConsultation(flow, lang));
  return seen;
}

const places: CustomerPlace[] = [
  {
    workspace: "T1",
    user: OWNER,
    channel: `C${"9".repeat(20)}`,
    ephemeral: true,
    messageTs: "1700000000.000100",
  },
  {
    workspace: "T1",
    user: OWNER,
    channel: `C${"9".repeat(20)}`,
    ephemeral: false,
    messageTs: "1700000000.000100",
  },
  {
    workspace: "T1",
    user: OWNER,
    channel: `D${"9".repeat(20)}`,
    ephemeral: false,
    messageTs: "1700000000.000100",
  },
];

function everyScreen(flow: CompiledFlow): Screen[] {
  const screens: Screen[] = [];
  const add = (name: string, message: SlackMessage) => screens.push({ name, message });
  for (const lang of LANGS) {
    for (const p of walk(flow, lang)) {
      const path = `${lang} ${p.consultation.answers.map(([q, o]) => `${q}=${o}`).join(",") || "(start)"}`;
      const st = stateOf(p);
      add(`step ${path}`, renderStep(p.step, st));
      const other = switchLanguage(flow, p.consultation, lang === "ja" ? "en" : "ja");
      if (other.ok) add(`switched ${path}`, renderStep(other.value.step, stateOf(other.value)));
      if (p.consultation.answers.length > 0) {
        const back = goBack(flow, p.consultation);
        if (back.ok) add(`back ${path}`, renderStep(back.value.step, stateOf(back.value)));
      }
      if (p.step.kind !== "outcome") continue;
      const step: OutcomeStep = p.step;
      add(`result+staff ${path}`, renderOutcome(step, st, { staff: true }));
      add(`result asked ${path}`, renderOutcome(step, st, { staff: true, handoff: { status: "asked" } }));
      add(
        `result taken ${path}`,
        renderOutcome(step, st, { staff: true, handoff: { status: "taken", assignee: STAFF } }),
      );
      add(`shared ${path}`, renderOutcome(step, st, { sharedBy: OWNER }));
      // Change an answer: every question of the path, with the later answers kept (longest button values).
      for (const [question] of p.consultation.answers) {
        const changed = changeAnswer(flow, p.consultation, question);
        if (!changed.ok) throw new Error(changed.error.message);
        add(`change ${question} ${path}`, renderStep(changed.value.step, stateOf(changed.value)));
      }
      if (offersHandoff(step))
        for (const place of places) {
          const summary = handoffSummary(step, place, lang);
          const id = `h_${"x".repeat(40)}`;
          add(`staff open ${place.channel[0]} ${path}`, renderStaffRequest({ id, summary }));
          add(`staff taken ${place.channel[0]} ${path}`, renderStaffTaken({ summary }, STAFF));
        }
    }
    const start = startConsultation(flow, lang);
    add(`start offer ${lang}`, renderStartOffer(flow, OWNER, lang));
    add(`help ${lang}`, renderHelp(flow, OWNER, LONG_COMMAND, lang));
    add(
      `version changed ${lang}`,
      renderVersionChanged(stateOf(start), { id: flow.flow.id, version: 999_999_999 }),
    );
    add(`other flow ${lang}`, renderVersionChanged(stateOf(start), { id: "another-faq", version: 1 }));
    const ui = UI[lang];
    for (const text of [ui.stale, ui.slackFailed, ui.handoffFailed, ui.statsRefused, ui.handoffAsked])
      add(`notice ${lang} ${text.slice(0, 20)}`, renderNotice(text));
    add(`notice ${lang} unreadable`, renderNotice(ui.unreadable(LONG_COMMAND)));
    add(`notice ${lang} taken`, renderNotice(ui.handoffTaken(STAFF)));
    add(`stats ${lang}`, renderStats(worstStats(flow), flow, lang, new Date()));
    add(`stats empty ${lang}`, renderStats(emptyStats(), flow, lang, new Date()));
  }
  add(
    "notice not owner",
    renderNotice(`${UI.ja.notOwner(OWNER, LONG_COMMAND)}\n${UI.en.notOwner(OWNER, LONG_COMMAND)}`),
  );
  add("already taken", renderAlreadyTaken(STAFF));
  add("handoff gone", renderAlreadyTaken(null));
  add("take failed", renderTakeFailed());
  return screens;
}

function emptyStats() {
  return { perDay: [], outcomes: [], fees: [], dropOff: [], medianSecondsToOutcome: null };
}

/** Statistics as large as they get: every day, route, fee and question, plus codes of older versions. */
function worstStats(flow: CompiledFlow) {
  const since = statsSince(new Date()).getTime();
  const big = 999_999_999;
  return {
    perDay: Array.from({ length: STATS_DAYS }, (_, i) => ({
      day: new Date(since + i * 86_400_000).toISOString().slice(0, 10),
      started: big,
      completed: big,
    })),
    outcomes: [...flow.flow.outcomes.map((o) => o.route), "route_of_an_older_version"].map((route) => ({
      route,
      count: big,
    })),
    fees: [...Object.keys(flow.flow.fees), "fee_of_an_older_version"].map((fee) => ({ fee, count: big })),
    dropOff: [...flow.flow.questions.map((q) => q.id), "question_of_an_older_version"].map((question) => ({
      question,
      reached: big,
      answered: big,
    })),
    medianSecondsToOutcome: 99_999_999,
  };
}

interface Worst {
  value: number;
  where: string;
}
function measure(screens: Screen[]): Record<string, Worst> {
  const worst: Record<string, Worst> = {};
  const note = (key: string, value: number, where: string) => {
    if (!worst[key] || (worst[key] as Worst).value < value) worst[key] = { value, where };
  };
  for (const { name, message } of screens) {
    note("blocks per message", message.blocks.length, name);
    note("top-level text", len(message.text), name);
    for (const raw of message.blocks) {
      const b = raw as unknown as Json;
      const t = (b.text as Json | undefined)?.text;
      if (b.type === "section") note("section text", len(t), name);
      if (b.type === "header") note("header text", len(t), name);
      if (b.type === "context")
        for (const e of b.elements as Json[]) note("context element text", len(e.text), name);
      if (b.type === "actions") note("actions elements", (b.elements as unknown[]).length, name);
      for (const e of [...((b.elements as Json[]) ?? []), ...(b.accessory ? [b.accessory as Json] : [])]) {
        if (e.type !== "button") continue;
        note("button text", len((e.text as Json).text), `${name}: ${String((e.text as Json).text)}`);
        note("button value", len(e.value), name);
        note("action_id", len(e.action_id), String(e.action_id));
      }
      if (typeof b.block_id === "string") note("block_id", len(b.block_id), b.block_id);
    }
  }
  return worst;
}

describe("every screen of the shipped flow, ja and en, within Slack's documented limits", () => {
  const screens = everyScreen(compiled);

  it("covers every route, question, condition, note, step and 'what to check' item the flow has", () => {
    const results = LANGS.flatMap((l) => walk(compiled, l)).filter((p) => p.step.kind === "outcome");
    const steps = results.map((p) => p.step as OutcomeStep);
    expect(new Set(steps.map((s) => s.route))).toEqual(new Set(compiled.flow.outcomes.map((o) => o.route)));
    const asked = new Set(
      LANGS.flatMap((l) => walk(compiled, l))
        .filter((p) => p.step.kind === "question")
        .map((p) => (p.step.kind === "question" ? p.step.question.id : "")),
    );
    expect(asked).toEqual(new Set(compiled.flow.questions.map((q) => q.id)));
    const shown = (pick: (s: OutcomeStep) => { id?: string; question?: string }[]) =>
      new Set(steps.flatMap((s) => pick(s).map((x) => x.id ?? x.question)));
    const flowIds = (key: "conditions" | "notes" | "steps") =>
      new Set(compiled.flow.outcomes.flatMap((o) => (o[key] ?? []).map((c) => c.id)));
    expect(shown((s) => s.conditions)).toEqual(flowIds("conditions"));
    expect(shown((s) => s.notes)).toEqual(flowIds("notes"));
    expect(shown((s) => s.steps)).toEqual(flowIds("steps"));
    const unknowns = compiled.flow.questions.filter((q) => q.options.some((o) => o.unknown)).map((q) => q.id);
    expect(shown((s) => s.confirm)).toEqual(new Set(unknowns));
    // The result listing the most "what to check" items lists every "I don't know" question that can matter.
    expect(Math.max(...steps.map((s) => s.confirm.length))).toBeGreaterThanOrEqual(3);
    console.info(`screens: ${screens.length}`);
    expect(screens.length).toBeGreaterThan(3000);
  });

  it("no screen breaks a Block Kit limit, lacks a fallback text, or leaves &, <, > unescaped in mrkdwn", () => {
    const problems = screens.flatMap(({ name, message }) =>
      messageProblems(message).map((p) => `${name}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it("App Home (customer and staff, with the largest statistics or none) fits a Home tab", () => {
    for (const lang of LANGS)
      for (const stats of [
        [],
        statsBlocks(worstStats(compiled), compiled, lang, new Date()),
        [statsUnavailable(lang)],
      ]) {
        const view = renderHome(compiled, OWNER, LONG_COMMAND, lang);
        view.blocks.push(...stats);
        expect(view.type).toBe("home");
        expect(blockProblems(view.blocks, "home")).toEqual([]);
      }
  });

  it("reports the measured worst cases (all far below the limits)", () => {
    const worst = measure(screens);
    console.info(
      Object.entries(worst)
        .map(([k, w]) => `${k}: ${w.value}  (${w.where.slice(0, 140)})`)
        .join("\n"),
    );
    expect(worst["blocks per message"]?.value).toBeLessThanOrEqual(LIMIT.messageBlocks);
    expect(worst["section text"]?.value).toBeLessThanOrEqual(LIMIT.sectionText);
    expect(worst["button value"]?.value).toBeLessThanOrEqual(LIMIT.buttonValue);
    expect(worst["button text"]?.value).toBeLessThanOrEqual(LIMIT.buttonText);
    expect(worst["header text"]?.value).toBeLessThanOrEqual(LIMIT.headerText);
  });
});

// ─── The real app over HTTP: every path clicked, every call checked ──────────
const snapshot = (m: FakeMessage): FakeMessage => ({ ...m, blocks: structuredClone(m.blocks) });
const STAFF_CHANNEL = "C0STAFFROOM";
const LEE = "U0LEESTAFF";
const CUSTOMER = "U0CUSTOMER";

describe("the real app: every answer path and every surface, each call with the arguments Slack requires", () => {
  let h: Harness;
  let records: ReturnType<typeof testRecords>;
  beforeAll(async () => {
    records = testRecords();
    h = await Harness.start({
      records,
      users: { [CUSTOMER]: { locale: "en-US" } },
      config: { staffChannelId: STAFF_CHANNEL, staffUserIds: [LEE] },
    });
  });
  afterAll(async () => {
    await h.close();
    await records.close();
  });

  const checkCalls = (calls: RecordedCall[]) => {
    const problems = calls.flatMap((c) => callProblems(c).map((p) => `#${c.seq} ${p}`));
    expect(problems).toEqual([]);
    expect(calls.filter((c) => !c.ok && c.problems).map((c) => c.problems)).toEqual([]);
  };

  it("clicks every answer of every path in both languages (ephemeral card, response_url)", async () => {
    let results = 0;
    for (const text of ["", "en"]) {
      const first = snapshot(await h.command({ text, user: CUSTOMER, channel: "C0SUPPORT" }));
      const queue: FakeMessage[] = [first];
      while (queue.length > 0) {
        const m = queue.pop() as FakeMessage;
        const answers = actionIdsIn(m.blocks).filter((id) => id.startsWith("answer:"));
        if (answers.length === 0) results++;
        for (const id of answers) {
          const r = await h.click(m, id);
          expect(r.status).toBe(200);
          queue.push(snapshot(r.message));
        }
      }
    }
    expect(results).toBe(
      LANGS.flatMap((l) => walk(compiled, l)).filter((p) => p.step.kind === "outcome").length,
    );
    checkCalls(h.fake.calls);
  }, 120_000);

  it("every other surface: help, stats, mention in a thread, DM, App Home, back/change/language, share, Ask staff, Take it, notices, refused response_url", async () => {
    const mark = h.fake.mark();
    await h.command({ text: "help", user: CUSTOMER, channel: "C0SUPPORT" });
    await h.command({ text: "stats", user: LEE, channel: "C0SUPPORT" });
    await h.command({ text: "stats", user: CUSTOMER, channel: "C0SUPPORT" });
    await h.event(
      appMention({ user: CUSTOMER, channel: "C0SUPPORT", text: "<@UBOT0FAKE> en", threadTs: "1.2" }),
    );
    await h.event(directMessage({ user: CUSTOMER, channel: "D0CUSTOMER", text: "hi" }));
    await h.event(appHomeOpened({ user: LEE }));
    await h.event(appHomeOpened({ user: CUSTOMER }));
    await h.clickHome(CUSTOMER, "start");

    // A DM card (chat.update) to a result that needs us: back, change, language, share, Ask staff, Take it.
    const offer = snapshot(h.fake.messages.find((m) => m.channel === "D0CUSTOMER") as FakeMessage);
    let m = snapshot((await h.click(offer, "start", { user: CUSTOMER })).message);
    for (const id of [
      "answer:validity:valid",
      "answer:current_server:our_shared",
      "answer:destination_server:dedicated_vps_cloud",
      "answer:installer:us",
    ])
      m = snapshot((await h.click(m, id, { user: CUSTOMER })).message);
    for (const id of ["nav:lang:ja", "nav:lang:en", "change:installer", "answer:installer:us", "nav:back"])
      m = snapshot((await h.click(m, id, { user: CUSTOMER })).message);
    m = snapshot((await h.click(m, "answer:installer:us", { user: CUSTOMER })).message);
    await h.click(m, "share", { user: CUSTOMER });
    await h.click(m, "nav:back", { user: "U0SOMEONEELSE" }); // not the owner: a notice
    m = snapshot((await h.click(m, "handoff:ask", { user: CUSTOMER })).message);
    const staffCard = snapshot(h.fake.messages.find((x) => x.channel === STAFF_CHANNEL) as FakeMessage);
    await h.click(staffCard, "handoff:take", { user: LEE });
    await h.click(staffCard, "handoff:take", { user: "U0KIMSTAFF" }); // already taken: a notice

    // An ephemeral card in a channel to "needs checking": Ask staff there, then Take it (stored response_url).
    let e = snapshot(await h.command({ text: "en", user: CUSTOMER, channel: "C0SUPPORT" }));
    for (const id of [
      "answer:validity:valid",
      "answer:current_server:other_shared",
      "answer:destination_server:shared",
      "answer:destination_byo:unknown",
    ])
      e = snapshot((await h.click(e, id)).message);
    while (actionIdsIn(e.blocks).some((id) => id.startsWith("answer:"))) {
      const unknown = actionIdsIn(e.blocks).find((id) => id.endsWith(":unknown"));
      e = snapshot((await h.click(e, unknown ?? (actionIdsIn(e.blocks)[0] as string))).message);
    }
    await h.click(e, "share");
    await h.click(e, "handoff:ask");
    const second = snapshot(h.fake.messages.filter((x) => x.channel === STAFF_CHANNEL).at(-1) as FakeMessage);
    await h.click(second, "handoff:take", { user: LEE });
    // A response_url Slack refuses (used up): the notice goes through chat.postEphemeral.
    h.fake.failNext("response_url", { status: 404, error: "used_up" }, 2);
    await h.click(e, "nav:back", { user: "U0SOMEONEELSE" });

    const calls = h.fake.calls.filter((c) => c.seq > mark);
    expect(new Set(calls.map((c) => c.method).filter((m) => m !== "auth.test"))).toEqual(
      new Set([
        "response_url",
        "users.info",
        "views.publish",
        "chat.postEphemeral",
        "chat.postMessage",
        "chat.update",
      ]),
    );
    checkCalls(calls);
  }, 60_000);
});

// ─── The calls the existing integration suites make ──────────────────────────
describe("schema-valid flows the shipped renderers turn into messages Slack rejects or mis-shows", () => {
  it("App Home of a flow without `description` (optional in the schema; test/fixtures/flows/base.yaml) is accepted by views.publish", async () => {
    const loaded = loadFlowFile(join(import.meta.dirname, "../fixtures/flows/base.yaml"));
    if (!loaded.ok) throw new Error("fixture does not load");
    expect(loaded.compiled.flow.description).toBeUndefined();
    // Through the real app: the Home tab a user opens.
    const h = await Harness.start({ compiled: loaded.compiled });
    let publish: RecordedCall | undefined;
    try {
      publish = (await h.event(appHomeOpened({ user: "U0HOME" }))).find((c) => c.method === "views.publish");
    } finally {
      await h.close();
    }
    // The reader's-language intro section is left with no text (DOC.section: minimum length 1).
    expect
      .soft(blockProblems(renderHome(loaded.compiled, OWNER, "/ssl-move", "ja").blocks, "home"))
      .toEqual([]);
    expect({ ok: publish?.ok, problems: publish?.problems ?? [] }).toEqual({ ok: true, problems: [] });
  });

  it('a flow text with & < > (e.g. "R&D <staging>") is escaped in the notification fallback `text` as it is in the blocks', () => {
    const yaml = readFileSync(defaultFlowFile, "utf8")
      .replace(
        "en: Is the certificate still within its validity period?",
        'en: "Is the R&D <staging> certificate still valid?"',
      )
      .replace(
        "en: Can I keep using my SSL certificate on the server I am moving to?",
        'en: "Q&A: moving a certificate to <new server>"',
      )
      .replace(
        "en: This certificate cannot be used on the new server\n    fee: none\n    conditions:\n      - id: expired",
        'en: "Expired & <unusable>"\n    fee: none\n    conditions:\n      - id: expired',
      );
    const loaded = compileFlowText(yaml, "flows/ssl-migration.yaml");
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const flow = loaded.compiled;
    const start = startConsultation(flow, "en");
    const question = renderStep(start.step, stateOf(start));
    const expired = answerQuestion(flow, start.consultation, "validity", "expired");
    if (!expired.ok) throw new Error("no result");
    const result = renderStep(expired.value.step, stateOf(expired.value));
    const offer = renderStartOffer(flow, OWNER, "en");
    // The blocks escape them…
    expect(blockProblems(question.blocks, "message")).toEqual([]);
    expect(blockProblems(offer.blocks, "message")).toEqual([]);
    // …the top-level text (mrkdwn, shown in notifications) must too.
    expect({
      question: rawControlChars(question.text),
      result: rawControlChars(result.text),
      startOffer: rawControlChars(offer.text),
    }).toEqual({ question: [], result: [], startOffer: [] });
  });
});
