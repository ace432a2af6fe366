import { afterEach, describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/slack/fakeSlack/index.ts";
import { UI } from "../../src/slack/i18n.ts";
import type { AppRecords } from "../../src/slack/records.ts";
import { decodeState } from "../../src/slack/state/codec.ts";
import { loadBumpedFlow, loadRealFlow } from "../support/flow.ts";
import { Harness, readResult } from "../support/harness.ts";
import { actionIdsIn, appHomeOpened, directMessage, findButton } from "../support/payloads.ts";
import { failing, faulty, type TestRecords, testRecords } from "./recordsSupport.ts";

const OWNER = "UOWNER1";
const CHANNEL = "C0GENERAL";
const STAFF = "C0STAFF";
const LEE = "U0LEE";
const KIM = "U0KIM";

const HANDOVER_US = {
  validity: "valid",
  current_server: "our_shared",
  destination_server: "dedicated_vps_cloud",
  installer: "us",
};
const HANDOVER_SELF = { ...HANDOVER_US, installer: "self" };

function questionOf(message: FakeMessage): string | undefined {
  return actionIdsIn(message.blocks)
    .find((id) => id.startsWith("answer:"))
    ?.split(":")[1];
}

async function answerAll(h: Harness, message: FakeMessage, answers: Record<string, string>) {
  let m = message;
  for (let q = questionOf(m); q !== undefined; q = questionOf(m)) {
    const option = answers[q];
    if (option === undefined) throw new Error(`unexpected question ${q}`);
    m = (await h.click(m, `answer:${q}:${option}`)).message;
  }
  return m;
}

/** The message as it is now: the fake updates its messages in place, so an old screen needs a copy. */
const snapshot = (m: FakeMessage): FakeMessage => ({ ...m, blocks: structuredClone(m.blocks) });

/** The same result on a DM card (a normal message, redrawn with chat.update), started from the DM offer. */
const dmHandoverResult = async (h: Harness) => {
  // The harness clicks non-ephemeral messages as UOWNER.
  await h.event(directMessage({ user: "UOWNER", channel: "DOWNER", text: "hi" }));
  const offer = h.fake.messages[0] as FakeMessage;
  return snapshot(await answerAll(h, (await h.click(offer, "start")).message, HANDOVER_US));
};

/** The owner's handover result with us installing (Ask staff offered), from a fresh command. */
const handoverResult = async (h: Harness, text?: string) =>
  snapshot(
    await answerAll(
      h,
      await h.command({ user: OWNER, channel: CHANNEL, ...(text !== undefined ? { text } : {}) }),
      HANDOVER_US,
    ),
  );

const idOf = (m: FakeMessage) => {
  const value =
    findButton(m.blocks, "nav:lang:en")?.button.value ?? findButton(m.blocks, "nav:lang:ja")?.button.value;
  return decodeState(value)?.id;
};

let h: Harness | undefined;
let records: TestRecords | undefined;
afterEach(async () => {
  await h?.close();
  await records?.close();
  h = undefined;
  records = undefined;
});

/** The handoff id a staff message's Take it carries. */
const handoffIdOf = (staffMessage: FakeMessage) =>
  findButton(staffMessage.blocks, "handoff:take")?.button.value;

const staffMessagesOf = (h: Harness) => h.fake.messages.filter((m) => m.channel === STAFF);

async function start(staff = true, wrap: (r: TestRecords) => AppRecords = (r) => r) {
  records = testRecords();
  h = await Harness.start({
    records: wrap(records),
    config: staff ? { staffChannelId: STAFF, staffUserIds: [LEE, KIM] } : {},
  });
  return { h, records };
}

describe("consultation records from Slack clicks", () => {
  it("records started, answered and completed with workspace, user, channel, flow and version", async () => {
    const { h, records } = await start(false);
    const first = await h.command({ user: OWNER, channel: CHANNEL });
    const result = await answerAll(h, first, HANDOVER_SELF);
    expect(readResult(result.blocks)).toMatchObject({ route: "handover" });
    await records.settle();
    const events = records.events();
    const id = idOf(result);
    expect(id).toBeDefined();
    expect(events.map((e) => e.kind)).toEqual([
      "started",
      "answered",
      "answered",
      "answered",
      "answered",
      "completed",
    ]);
    for (const e of events)
      expect(e).toMatchObject({
        consultationId: id,
        workspace: "T0FAKE",
        user: OWNER,
        channel: CHANNEL,
        flowId: "ssl-migration",
        flowVersion: h.compiled.flow.version,
      });
    expect(events.at(-1)).toMatchObject({ route: "handover", installer: "self", fee: "none" });
    expect(events[0]).toMatchObject({ next: "validity" });
    expect(events[4]).toMatchObject({ question: "installer", option: "self", next: null });
  });

  it("records the click's workspace: the payload's team, else the clicker's team, else 'unknown' (never a non-id)", async () => {
    const { h, records } = await start(false);
    let m = await h.command({ user: OWNER, channel: CHANNEL });
    const clickAs = async (actionId: string, team: unknown, userTeam: unknown) => {
      const clicked = await h.click(m, actionId, {
        user: OWNER,
        edit: (payload) => {
          payload.team = team;
          (payload.user as Record<string, unknown>).team_id = userTeam;
        },
      });
      expect(clicked.status).toBe(200);
      m = clicked.message;
    };
    await clickAs("answer:validity:valid", { id: "T0TEAM", domain: "x" }, "T0USER");
    await clickAs("answer:current_server:our_shared", null, "T0USER");
    await clickAs("answer:destination_server:shared", null, "not a slack id");
    await records.settle();
    const answered = records.events().filter((e) => e.kind === "answered");
    expect(answered.map((e) => [e.question, e.workspace])).toEqual([
      ["validity", "T0TEAM"],
      ["current_server", "T0USER"],
      ["destination_server", "unknown"],
    ]);
  });

  it("records a double click once, and back/change/share with their own events", async () => {
    const { h, records } = await start(false);
    const first = snapshot(await h.command({ user: OWNER, channel: CHANNEL }));
    const second = (await h.click(first, "answer:validity:valid")).message;
    // The same button again (a double click, or Slack redelivering the request).
    await h.click(first, "answer:validity:valid", { user: OWNER });
    const back = (await h.click(second, "nav:back")).message;
    // The same answer again after going back is a new click, recorded again.
    const again = (await h.click(back, "answer:validity:valid")).message;
    const result = await answerAll(h, again, HANDOVER_SELF);
    const changing = (await h.click(result, "change:installer")).message;
    const changed = (await h.click(changing, "answer:installer:us")).message;
    await h.click(changed, "share");
    await h.click(changed, "share");
    await records.settle();
    // In the order they happened: queued events can reach the store after a later write-through.
    const events = records.events().sort((a, b) => a.at.getTime() - b.at.getTime());
    const kinds = events.map((e) => e.kind);
    expect(kinds).toEqual([
      "started",
      "answered",
      "back",
      "answered",
      "answered",
      "answered",
      "answered",
      "completed",
      "changed",
      "answered",
      "completed",
      "shared",
    ]);
    expect(events.find((e) => e.kind === "back")).toMatchObject({
      question: "current_server",
      next: "validity",
    });
    expect(events.at(-2)).toMatchObject({ route: "handover", installer: "us" });
  });

  it("records 'shared' only when the copy reached the channel", async () => {
    const { h, records } = await start(false);
    const result = snapshot(
      await answerAll(h, await h.command({ user: OWNER, channel: CHANNEL }), HANDOVER_SELF),
    );
    h.fake.failNext("response_url", { status: 500, error: "boom" });
    await h.click(result, "share");
    await records.settle();
    expect(records.events().map((e) => e.kind)).not.toContain("shared");
  });

  it("keeps working when the database is down, and writes the queued events when it is back", async () => {
    const { h, records } = await start(false);
    records.down = true;
    const first = await h.command({ user: OWNER, channel: CHANNEL });
    const result = await answerAll(h, first, HANDOVER_SELF);
    expect(readResult(result.blocks)).toMatchObject({ route: "handover" });
    expect(records.events()).toEqual([]);
    records.down = false;
    await records.settle();
    expect(records.events().map((e) => e.kind)).toEqual([
      "started",
      "answered",
      "answered",
      "answered",
      "answered",
      "completed",
    ]);
  });

  it("writes a completed record before the result is drawn (the queue is not relied on)", async () => {
    records = testRecords();
    const held: string[] = [];
    // A queue that never writes: only a write-through can put events in the store.
    const recorder = { ...records.recorder, record: (e: { kind: string }) => void held.push(e.kind) };
    h = await Harness.start({ records: { ...records, recorder } });
    const first = await h.command({ user: OWNER, channel: CHANNEL });
    let drawnWith: string[] = [];
    h.fake.onCall((call) => {
      if (call.method === "response_url" && JSON.stringify(call.args).includes("route: handover"))
        drawnWith = (records as TestRecords).events().map((e) => e.kind);
    });
    await answerAll(h, first, HANDOVER_SELF);
    expect(drawnWith).toEqual(["answered", "completed"]);
    expect(held).toEqual(["started", "answered", "answered", "answered"]);
  });

  it("a database that does not answer holds a result only writeThroughMs: it is drawn, and its events go to the queue", async () => {
    let hung = false;
    const { h, records } = await start(
      false,
      faulty("record", (_, [events]) => {
        // The result's write-through never answers (the queue writes past this window).
        if (hung || !(events as { kind: string }[]).some((e) => e.kind === "completed")) return undefined;
        hung = true;
        return new Promise(() => {});
      }),
    );
    const result = await answerAll(h, await h.command({ user: OWNER, channel: CHANNEL }), HANDOVER_SELF);
    expect(hung).toBe(true);
    expect(readResult(result.blocks)).toMatchObject({ route: "handover" });
    expect(h.logs.join("\n")).toContain("write-through failed; queued instead");
    await records.settle();
    expect(records.events().map((e) => e.kind)).toContain("completed");
  });

  it("an unsigned button of an earlier version (c1, c2) gets the start-over notice and records nothing", async () => {
    const { h, records } = await start(false);
    const first = await h.command({ user: OWNER, channel: CHANNEL });
    await records.settle();
    const before = records.events().length;
    for (const old of [
      `c1|ssl-migration|${h.compiled.flow.version}|${OWNER}|ja|`,
      `c2|Xy_9-abcdEFG|1|ssl-migration|${h.compiled.flow.version}|${OWNER}|ja|`,
    ]) {
      const { message, calls } = await h.click(first, "answer:validity:valid", { value: old });
      expect(message.updates).toBe(first.updates);
      expect(calls.map((c) => String(c.args.text))).toContain(UI.ja.unreadable("/ssl-move"));
    }
    await records.settle();
    expect(records.events()).toHaveLength(before);
  });
});

describe("handoff to staff", () => {
  it("offers Ask staff only when a staff channel is set and the result needs us", async () => {
    const withStaff = await start(true);
    const self = await answerAll(
      withStaff.h,
      await withStaff.h.command({ user: OWNER, channel: CHANNEL }),
      HANDOVER_SELF,
    );
    expect(actionIdsIn(self.blocks)).not.toContain("handoff:ask");
    const us = await answerAll(
      withStaff.h,
      await withStaff.h.command({ user: OWNER, channel: CHANNEL }),
      HANDOVER_US,
    );
    expect(actionIdsIn(us.blocks)).toContain("handoff:ask");
    const check = await answerAll(withStaff.h, await withStaff.h.command({ user: OWNER, channel: CHANNEL }), {
      validity: "valid",
      current_server: "our_shared",
      destination_server: "shared",
      destination_byo: "unknown",
    });
    expect(readResult(check.blocks)).toMatchObject({ route: "needs_check" });
    expect(actionIdsIn(check.blocks)).toContain("handoff:ask");
    await withStaff.h.close();
    await withStaff.records.close();
    const without = await start(false);
    const noStaff = await answerAll(
      without.h,
      await without.h.command({ user: OWNER, channel: CHANNEL }),
      HANDOVER_US,
    );
    expect(actionIdsIn(noStaff.blocks)).not.toContain("handoff:ask");
  });

  it("a staff channel without a records store offers no Ask staff (a handoff could not be kept)", async () => {
    h = await Harness.start({ config: { staffChannelId: STAFF, staffUserIds: [LEE, KIM] } });
    const us = await answerAll(h, await h.command({ user: OWNER, channel: CHANNEL }), HANDOVER_US);
    expect(readResult(us.blocks)).toMatchObject({ installer: "us" });
    expect(actionIdsIn(us.blocks)).not.toContain("handoff:ask");
  });

  it("ephemeral card: Ask staff (double clicked) posts one summary; the first taker wins; the card says so", async () => {
    const { h, records } = await start(true);
    const result = await handoverResult(h);
    const asked = await h.click(result, "handoff:ask");
    await h.click(result, "handoff:ask");
    const staffMessages = h.fake.messages.filter((m) => m.channel === STAFF);
    expect(staffMessages).toHaveLength(1);
    const staffMessage = snapshot(staffMessages[0] as FakeMessage);
    const summary = JSON.stringify(staffMessage.blocks);
    expect(summary).toContain(`<@${OWNER}>`);
    expect(summary).toContain("route: handover · installer: us");
    // The channel as a mention (Slack links it); never a link nested in a link label.
    expect(summary).toContain(`— <#${CHANNEL}>`);
    expect(summary).not.toMatch(/\|<[#@]/);
    expect(JSON.stringify(asked.message.blocks)).toContain("担当者に相談内容を送りました");
    expect(actionIdsIn(asked.message.blocks)).not.toContain("handoff:ask");

    const taken = await h.click(staffMessage, "handoff:take", { user: LEE });
    expect(JSON.stringify(taken.message.blocks)).toContain(`<@${LEE}> took it`);
    // An ephemeral card is changed through its response_url only: chat.update cannot reach it.
    expect(taken.calls.filter((c) => c.method === "chat.update").map((c) => c.args.channel)).toEqual([STAFF]);
    expect(actionIdsIn(taken.message.blocks)).not.toContain("handoff:take");
    const customerCard = h.fake.message(result.channel, result.ts) as FakeMessage;
    expect(JSON.stringify(customerCard.blocks)).toContain(`担当の <@${LEE}> が対応します`);

    // Kim pressed on an older copy of the staff message: told who has it, nothing changes.
    const late = await h.click({ ...staffMessage, blocks: staffMessage.blocks }, "handoff:take", {
      user: KIM,
    });
    const notice = late.calls.find((c) => c.method === "response_url");
    expect(JSON.stringify(notice?.args)).toContain(`Already taken by <@${LEE}>`);
    expect(JSON.stringify(h.fake.message(STAFF, staffMessage.ts)?.blocks)).toContain(`<@${LEE}> took it`);

    await records.settle();
    const kinds = records.events().map((e) => e.kind);
    expect(kinds.filter((k) => k === "handed_off")).toHaveLength(1);
    expect(records.events().find((e) => e.kind === "taken")).toMatchObject({ assignee: LEE, user: OWNER });
    const [row] = await records.store.report({});
    expect(row).toMatchObject({ handed_off: true, assignee: LEE });
  });

  it("an English customer's summary is in English throughout and says so; a Take it the database refuses tells the staff member what to do", async () => {
    const { h, records } = await start(true);
    const result = await handoverResult(h, "en");
    await h.click(result, "handoff:ask");
    const staffMessage = snapshot(h.fake.messages.find((m) => m.channel === STAFF) as FakeMessage);
    const summary = JSON.stringify(staffMessage.blocks);
    expect(summary).toContain("*言語 / Language*: 英語 / English");
    expect(summary).toMatch(/per the price list/);
    expect(summary).not.toMatch(/料金表/);
    records.down = true;
    const refused = await h.click(staffMessage, "handoff:take", { user: LEE });
    records.down = false;
    const notice = JSON.stringify(refused.calls.find((c) => c.method === "response_url")?.args);
    expect(notice).toContain("担当者として登録できませんでした");
    expect(notice).toContain("press Take it again");
    expect(actionIdsIn((h.fake.message(STAFF, staffMessage.ts) as FakeMessage).blocks)).toContain(
      "handoff:take",
    );
  });

  it("a result redrawn after Ask staff (another language, back and forth) still says it was sent, then who took it; no second summary", async () => {
    const { h, records } = await start(true);
    const result = await handoverResult(h);
    const latest = () => snapshot(h.fake.message(result.channel, result.ts) as FakeMessage);
    // A copy of the same result from another screen (another button state), asked from there.
    const english = snapshot((await h.click(result, "nav:lang:en")).message);
    await h.click(english, "handoff:ask");
    const japanese = (await h.click(latest(), "nav:lang:ja")).message;
    expect(actionIdsIn(japanese.blocks)).not.toContain("handoff:ask");
    expect(JSON.stringify(japanese.blocks)).toContain("担当者に相談内容を送りました");
    const staffMessages = h.fake.messages.filter((m) => m.channel === STAFF);
    expect(staffMessages).toHaveLength(1);
    await h.click(snapshot(staffMessages[0] as FakeMessage), "handoff:take", { user: LEE });
    // Taking it redraws the card from the state it was asked in (English); switched, it still says who.
    expect(JSON.stringify(latest().blocks)).toContain(`<@${LEE}> from our staff is on it`);
    const switched = (await h.click(latest(), "nav:lang:ja")).message;
    expect(JSON.stringify(switched.blocks)).toContain(`担当の <@${LEE}> が対応します`);
    // Ask staff on the first copy (an earlier screen, same answers) once taken: the same handoff,
    // so the card says who, nothing is posted again, and handed_off is recorded once.
    const late = (await h.click(result, "handoff:ask")).message;
    expect(JSON.stringify(late.blocks)).toContain(`担当の <@${LEE}> が対応します`);
    expect(h.fake.messages.filter((m) => m.channel === STAFF)).toHaveLength(1);
    await records.settle();
    expect(records.events().filter((e) => e.kind === "handed_off")).toHaveLength(1);
  });

  it("if the staff channel cannot be reached, the card keeps Ask staff and the next press posts it", async () => {
    const { h } = await start(true);
    const result = await handoverResult(h);
    h.fake.failNext("chat.postMessage", { error: "not_in_channel" });
    const failed = await h.click(result, "handoff:ask");
    expect(JSON.stringify(failed.calls.at(-1)?.args)).toContain("担当者への連絡に失敗しました");
    expect(actionIdsIn(failed.message.blocks)).toContain("handoff:ask");
    await h.click(result, "handoff:ask");
    expect(h.fake.messages.filter((m) => m.channel === STAFF)).toHaveLength(1);
  });

  it("DM card: the customer's message is updated with chat.update", async () => {
    const { h } = await start(true);
    const result = await dmHandoverResult(h);
    await h.click(result, "handoff:ask");
    const staffMessage = h.fake.messages.find((m) => m.channel === STAFF) as FakeMessage;
    expect(JSON.stringify(staffMessage.blocks)).toContain("<@UOWNER> (DM)");
    const taken = await h.click(staffMessage, "handoff:take", { user: LEE });
    const update = taken.calls.find((c) => c.method === "chat.update" && c.args.channel === result.channel);
    expect(update?.ok).toBe(true);
    expect(JSON.stringify(h.fake.message(result.channel, result.ts)?.blocks)).toContain(`<@${LEE}>`);
  });

  it("when the card can no longer be changed, the customer gets a notice instead", async () => {
    const { h } = await start(true);
    const result = await answerAll(h, await h.command({ user: OWNER, channel: CHANNEL }), HANDOVER_US);
    await h.click(result, "handoff:ask");
    const staffMessage = h.fake.messages.find((m) => m.channel === STAFF) as FakeMessage;
    h.fake.failNext("response_url", { status: 404, error: "expired_url" });
    const taken = await h.click(staffMessage, "handoff:take", { user: LEE });
    const notice = taken.calls.find((c) => c.method === "chat.postEphemeral");
    expect(notice?.args).toMatchObject({ channel: CHANNEL, user: OWNER });
    expect(JSON.stringify(notice?.args)).toContain(`<@${LEE}>`);
  });

  it("with the database down, Ask staff says to try again and posts nothing; the next press posts it, records it and keeps the staff message's ts", async () => {
    const { h, records } = await start(true);
    const result = await handoverResult(h);
    records.down = true;
    const failed = await h.click(result, "handoff:ask");
    records.down = false;
    expect(JSON.stringify(failed.calls.at(-1)?.args)).toContain(UI.ja.handoffFailed);
    expect(staffMessagesOf(h)).toHaveLength(0);
    expect(actionIdsIn(failed.message.blocks)).toContain("handoff:ask");
    // A single press (no double click to redraw it again): the card says sent at once.
    const asked = snapshot((await h.click(result, "handoff:ask")).message);
    expect(JSON.stringify(asked.blocks)).toContain(UI.ja.handoffAsked);
    expect(actionIdsIn(asked.blocks)).not.toContain("handoff:ask");
    const [staffMessage] = staffMessagesOf(h);
    expect(staffMessage).toBeDefined();
    // The ts ends the claim for good; unsaved, a press a minute later would post a second copy.
    const handoff = await records.store.getHandoff(handoffIdOf(staffMessage as FakeMessage) ?? "");
    expect(handoff?.staffMessageTs).toBe(staffMessage?.ts);
    await records.settle();
    expect(records.events().filter((e) => e.kind === "handed_off")).toHaveLength(1);
  });

  it("a handoff the database refuses to record (the rest of it answering) is not shown as sent: the customer is told to try again", async () => {
    const { h } = await start(
      true,
      failing("createHandoff", (n) => n === 0),
    );
    const result = await handoverResult(h);
    const failed = await h.click(result, "handoff:ask");
    expect(JSON.stringify(failed.calls.at(-1)?.args)).toContain(UI.ja.handoffFailed);
    expect(JSON.stringify(failed.message.blocks)).not.toContain(UI.ja.handoffAsked);
    expect(actionIdsIn(failed.message.blocks)).toContain("handoff:ask");
    expect(staffMessagesOf(h)).toHaveLength(0);
    await h.click(result, "handoff:ask");
    expect(staffMessagesOf(h)).toHaveLength(1);
  });

  it("a claim the database refuses (the handoff itself recorded) posts nothing and records nothing; the next press posts it", async () => {
    const { h, records } = await start(
      true,
      failing("claimHandoffPost", (n) => n === 0),
    );
    const result = await handoverResult(h);
    const failed = await h.click(result, "handoff:ask");
    expect(JSON.stringify(failed.calls.at(-1)?.args)).toContain(UI.ja.handoffFailed);
    expect(actionIdsIn(failed.message.blocks)).toContain("handoff:ask");
    expect(staffMessagesOf(h)).toHaveLength(0);
    await records.settle();
    expect(records.events().map((e) => e.kind)).not.toContain("handed_off");
    await h.click(result, "handoff:ask");
    expect(staffMessagesOf(h)).toHaveLength(1);
    await records.settle();
    expect(records.events().filter((e) => e.kind === "handed_off")).toHaveLength(1);
  });

  it("posted, but its ts never saved: the card still says sent (no 'try again' that would post a second copy), and the next press does not post again", async () => {
    const { h, records } = await start(
      true,
      failing("setHandoffMessage", () => true),
    );
    const result = await handoverResult(h);
    const asked = await h.click(result, "handoff:ask");
    expect(JSON.stringify(asked.calls.map((c) => c.args))).not.toContain(UI.ja.handoffFailed);
    expect(JSON.stringify(asked.message.blocks)).toContain(UI.ja.handoffAsked);
    expect(h.logs.join("\n")).toContain("staff message ts was not saved");
    // The claim is kept (not released), so a second press within the minute finds it claimed.
    await h.click(result, "handoff:ask");
    expect(staffMessagesOf(h)).toHaveLength(1);
    await records.settle();
    expect(records.events().filter((e) => e.kind === "handed_off")).toHaveLength(1);
  });

  it("a database blip right after the post: the ts is saved by a try after a pause", async () => {
    let firstFailure: number | undefined;
    const { h, records } = await start(
      true,
      failing("setHandoffMessage", () => {
        // Down for 150 ms from the first save; the retries wait 200 and 400 ms.
        firstFailure ??= Date.now();
        return Date.now() - firstFailure < 150;
      }),
    );
    const result = await handoverResult(h);
    await h.click(result, "handoff:ask");
    const [staffMessage] = staffMessagesOf(h);
    const handoff = await records.store.getHandoff(handoffIdOf(staffMessage as FakeMessage) ?? "");
    expect(handoff?.staffMessageTs).toBe(staffMessage?.ts);
    expect(h.logs.join("\n")).not.toContain("staff message ts was not saved");
  });

  it("other answers of the same consultation make another handoff: Ask staff is offered again and posts a second summary", async () => {
    const { h } = await start(true);
    const result = await handoverResult(h);
    await h.click(result, "handoff:ask");
    const changing = (
      await h.click(h.fake.message(result.channel, result.ts) as FakeMessage, "change:destination_server")
    ).message;
    // As many answers as before (four), so only their values tell the two handoffs apart.
    const other = await answerAll(h, changing, { destination_server: "shared", destination_byo: "unknown" });
    expect(readResult(other.blocks)).toMatchObject({ route: "needs_check" });
    expect(actionIdsIn(other.blocks)).toContain("handoff:ask");
    await h.click(snapshot(other), "handoff:ask");
    const summaries = staffMessagesOf(h).map((m) => JSON.stringify(m.blocks));
    expect(summaries).toHaveLength(2);
    expect(summaries[1]).toContain("route: needs_check");
  });

  it("Take it on a handoff that does not exist (removed, or a forged value) says so and changes nothing", async () => {
    const { h, records } = await start(true);
    const result = await handoverResult(h);
    await h.click(result, "handoff:ask");
    const staffMessage = snapshot(staffMessagesOf(h)[0] as FakeMessage);
    const gone = await h.click(staffMessage, "handoff:take", { user: LEE, value: "h_nosuchhandoff" });
    expect(gone.calls.map((c) => c.method)).toEqual(["response_url"]);
    expect(JSON.stringify(gone.calls[0]?.args)).toContain("This handoff could not be found");
    await records.settle();
    expect(records.events().map((e) => e.kind)).not.toContain("taken");
  });

  it("Take it on a staff message once the app runs without records: not found, rather than 'press again'", async () => {
    const { h } = await start(true);
    const result = await handoverResult(h);
    await h.click(result, "handoff:ask");
    const staffMessage = snapshot(staffMessagesOf(h)[0] as FakeMessage);
    // The same staff message pressed on an app started without a records store.
    const bare = await Harness.start({ config: { staffChannelId: STAFF, staffUserIds: [LEE] } });
    try {
      const pressed = await bare.click(staffMessage, "handoff:take", { user: LEE });
      expect(pressed.calls.map((c) => c.method)).toEqual(["response_url"]);
      expect(JSON.stringify(pressed.calls[0]?.args)).toContain("This handoff could not be found");
    } finally {
      await bare.close();
    }
  });

  it("the taker pressing Take it again changes nothing; their next handoff is taken in full", async () => {
    const { h, records } = await start(true);
    const asks: FakeMessage[] = [];
    for (const user of [OWNER, "UOWNER2"]) {
      const result = snapshot(await answerAll(h, await h.command({ user, channel: CHANNEL }), HANDOVER_US));
      await h.click(result, "handoff:ask");
      asks.push(result);
    }
    const [first, second] = staffMessagesOf(h).map(snapshot);
    await h.click(first as FakeMessage, "handoff:take", { user: LEE });
    // The customer's card is not redrawn again (a response_url takes 5 posts only).
    const again = await h.click(first as FakeMessage, "handoff:take", { user: LEE });
    expect(again.calls).toEqual([]);
    const taken = await h.click(second as FakeMessage, "handoff:take", { user: LEE });
    expect(JSON.stringify(taken.message.blocks)).toContain(`<@${LEE}> took it`);
    for (const card of asks)
      expect(JSON.stringify(h.fake.message(card.channel, card.ts)?.blocks)).toContain(
        `担当の <@${LEE}> が対応します`,
      );
    await records.settle();
    expect(records.events().filter((e) => e.kind === "taken")).toHaveLength(2);
  });

  it("a handoff whose stored card cannot be read is still taken: the staff message says who, the customer gets a notice", async () => {
    const { h, records } = await start(true);
    const result = await handoverResult(h);
    await h.click(result, "handoff:ask");
    const staffMessage = snapshot(staffMessagesOf(h)[0] as FakeMessage);
    const db = (records.store as unknown as { db: { prepare(sql: string): { run(): { changes: number } } } })
      .db;
    expect(db.prepare("UPDATE handoffs SET card_state = 'c9|unreadable'").run().changes).toBe(1);
    const taken = await h.click(staffMessage, "handoff:take", { user: LEE });
    expect(JSON.stringify(taken.message.blocks)).toContain(`<@${LEE}> took it`);
    const notice = taken.calls.find((c) => c.method === "chat.postEphemeral");
    expect(notice?.args).toMatchObject({ channel: CHANNEL, user: OWNER });
    expect(JSON.stringify(notice?.args)).toContain(`担当の <@${LEE}> が対応します`);
  });

  it("a handoff taken after the flow changed version: the customer gets a notice (the old card cannot be drawn), the take is recorded", async () => {
    const { h, records } = await start(true);
    const result = await handoverResult(h);
    await h.click(result, "handoff:ask");
    const staffMessage = snapshot(staffMessagesOf(h)[0] as FakeMessage);
    await h.restartApp(loadBumpedFlow());
    const taken = await h.click(staffMessage, "handoff:take", { user: LEE });
    expect(JSON.stringify(taken.message.blocks)).toContain(`<@${LEE}> took it`);
    expect(taken.calls.map((c) => c.method)).not.toContain("response_url");
    const notice = taken.calls.find((c) => c.method === "chat.postEphemeral");
    expect(notice?.args).toMatchObject({ channel: CHANNEL, user: OWNER });
    expect(JSON.stringify(notice?.args)).toContain(`担当の <@${LEE}> が対応します`);
    await records.settle();
    expect(records.events().find((e) => e.kind === "taken")).toMatchObject({ assignee: LEE });
  });

  it("DM card gone when staff take it: the customer hears it in the DM with a message, not an ephemeral", async () => {
    const { h } = await start(true);
    const result = await dmHandoverResult(h);
    await h.click(result, "handoff:ask");
    const staffMessage = snapshot(staffMessagesOf(h)[0] as FakeMessage);
    (h.fake.message(result.channel, result.ts) as FakeMessage).deleted = true;
    const taken = await h.click(staffMessage, "handoff:take", { user: LEE });
    expect(taken.calls.map((c) => c.method)).not.toContain("chat.postEphemeral");
    expect(taken.calls.map((c) => c.method)).not.toContain("response_url");
    const dm = taken.calls.find((c) => c.method === "chat.postMessage");
    expect(dm?.args).toMatchObject({ channel: "UOWNER" });
    expect(JSON.stringify(dm?.args)).toContain(`担当の <@${LEE}> が対応します`);
  });

  it("when neither the card nor an ephemeral notice reaches the customer, a DM does", async () => {
    const { h } = await start(true);
    const result = await answerAll(h, await h.command({ user: OWNER, channel: CHANNEL }), HANDOVER_US);
    await h.click(result, "handoff:ask");
    const staffMessage = snapshot(staffMessagesOf(h)[0] as FakeMessage);
    h.fake.failNext("response_url", { status: 404, error: "expired_url" });
    h.fake.failNext("chat.postEphemeral", { error: "channel_not_found" });
    const taken = await h.click(staffMessage, "handoff:take", { user: LEE });
    const dm = taken.calls.find((c) => c.method === "chat.postMessage");
    expect(dm?.ok).toBe(true);
    expect(dm?.args).toMatchObject({ channel: OWNER });
    expect(JSON.stringify(dm?.args)).toContain(`担当の <@${LEE}> が対応します`);
  });
});

describe("statistics for staff", () => {
  it("answers /ssl-move stats for staff only, and shows them in App Home", async () => {
    const { h, records } = await start(true);
    await answerAll(h, await h.command({ user: OWNER, channel: CHANNEL }), HANDOVER_SELF);
    await h.command({ user: OWNER, channel: CHANNEL });
    await records.settle();
    const refused = await h.command({ text: "stats", user: OWNER, channel: CHANNEL });
    expect(JSON.stringify(refused.blocks)).toContain("スタッフの方のみ");
    const stats = await h.command({ text: "stats en", user: LEE, channel: CHANNEL });
    const text = JSON.stringify(stats.blocks);
    expect(text).toContain("Consultation statistics");
    expect(text).toContain(`\`${new Date().toISOString().slice(0, 10)}\`  2 / 1`);
    expect(text).toContain("`handover`: 1");
    expect(text).toContain("`validity`: 2 → 1");
    // Labels from the flow in the reader's language before each code; the days are UTC.
    const { flow } = loadRealFlow();
    const handover = flow.outcomes.find((o) => o.route === "handover")?.title;
    const validity = flow.questions.find((q) => q.id === "validity")?.text;
    expect(text).toContain(`${handover?.en} \`handover\`: 1`);
    expect(text).toContain(`${validity?.en} \`validity\`: 2 → 1`);
    expect(text).toContain("Per day (UTC");

    const japanese = JSON.stringify((await h.command({ text: "stats", user: LEE, channel: CHANNEL })).blocks);
    expect(japanese).toContain(`${handover?.ja} \`handover\`: 1`);
    expect(japanese).toContain("日別（UTC");
    expect(japanese).toMatch(/結果までの時間（中央値）：[\d.]+(秒|分|時間)/);
    expect(japanese).not.toMatch(/\d (s|min|h)\b/);
    await h.event(appHomeOpened({ user: LEE }));
    expect(JSON.stringify(h.fake.homeViews.get(LEE))).toContain("`handover`: 1");
    await h.event(appHomeOpened({ user: OWNER }));
    expect(JSON.stringify(h.fake.homeViews.get(OWNER))).not.toContain("stats_days");
  });
});
