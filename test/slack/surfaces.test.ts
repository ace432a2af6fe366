import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/slack/fakeSlack/index.ts";
import { loadRealFlow } from "../support/flow.ts";
import { Harness, readResult } from "../support/harness.ts";
import { actionIdsIn, appHomeOpened, appMention, directMessage } from "../support/payloads.ts";

const JA_USER = "UJAPANESE";
const EN_USER = "UENGLISH";

const text = (blocks: unknown[]) => JSON.stringify(blocks);

describe("entry points: slash command words, mention, DM, App Home", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ users: { [EN_USER]: { locale: "en-US" }, [JA_USER]: { locale: "ja-JP" } } });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.fake.reset();
  });

  it("/ssl-move en starts in English", async () => {
    const m = await h.command({ text: "en", user: JA_USER, channel: "C1" });
    expect(text(m.blocks)).toContain("Is the certificate still within its validity period?");
    expect(text(m.blocks)).toContain("Question 1 of at most");
    expect(actionIdsIn(m.blocks)).toContain("nav:lang:ja");
  });

  it("/ssl-move help explains the commands and offers start buttons; start turns it into the first question", async () => {
    const m = await h.command({ text: "help", user: JA_USER, channel: "C1" });
    expect(text(m.blocks)).toContain("/ssl-move en");
    expect(actionIdsIn(m.blocks)).toEqual(["start", "start:en"]);
    const started = await h.click(m, "start:en");
    expect(started.message.ts).toBe(m.ts);
    expect(actionIdsIn(started.message.blocks)[0]).toBe("answer:validity:valid");
    expect(text(started.message.blocks)).toContain("Is the certificate");
  });

  it("an unknown word after the command shows the help rather than guessing", async () => {
    const m = await h.command({ text: "pleese", user: JA_USER, channel: "C1" });
    expect(actionIdsIn(m.blocks)).toEqual(["start", "start:en"]);
  });

  it("a mention starts in the channel, visible only to the mentioner; clicks update it through response_url", async () => {
    const calls = await h.event(
      appMention({ user: JA_USER, channel: "C2", text: "<@UBOT0FAKE> 証明書の移転について" }),
    );
    expect(calls.map((c) => c.method)).toEqual(["chat.postEphemeral"]);
    const m = h.fake.messages[0] as FakeMessage;
    expect(m).toMatchObject({ channel: "C2", ephemeral: true, visibleTo: JA_USER });
    const next = await h.click(m, "answer:validity:expired");
    expect(next.calls.map((c) => c.kind)).toEqual(["response_url"]);
    expect(readResult(next.message.blocks)?.route).toBe("not_transferable");
  });

  it("a mention in a thread answers in that thread; `en` after the mention starts in English", async () => {
    await h.event(appMention({ user: JA_USER, channel: "C2", text: "<@UBOT0FAKE> en", threadTs: "123.456" }));
    const m = h.fake.messages[0] as FakeMessage;
    expect(m.threadTs).toBe("123.456");
    expect(text(m.blocks)).toContain("Is the certificate");
  });

  it("a redelivered event (same event_id) is answered once", async () => {
    const event = appMention({ user: JA_USER, channel: "C2", text: "<@UBOT0FAKE>" });
    await h.event(event, "EvSAME");
    await h.event(event, "EvSAME");
    expect(h.fake.calls.filter((c) => c.method === "chat.postEphemeral")).toHaveLength(1);
  });

  it("a direct message gets a start button (in the user's Slack language); start turns it into the consultation", async () => {
    const calls = await h.event(directMessage({ user: EN_USER, channel: "DENGLISH", text: "hello" }));
    expect(calls.map((c) => c.method)).toEqual(["users.info", "chat.postMessage"]);
    const offer = h.fake.messages[0] as FakeMessage;
    expect(offer.ephemeral).toBe(false);
    expect(actionIdsIn(offer.blocks)).toEqual(["start", "start:ja"]);
    const started = await h.click(offer, "start", { user: EN_USER });
    expect(started.calls.map((c) => c.method)).toEqual(["chat.update"]);
    expect(text(started.message.blocks)).toContain("Is the certificate");
    const next = await h.click(started.message, "answer:validity:valid", { user: EN_USER });
    expect(next.calls.map((c) => c.method)).toEqual(["chat.update"]);
    expect(next.message.updates).toBe(2);
    expect(h.fake.messages).toHaveLength(1);
  });

  it("the bot's own messages and edits in the DM are ignored", async () => {
    await h.event(directMessage({ user: "UBOT0FAKE", channel: "DX", text: "hi", botId: "BBOT0FAKE" }));
    await h.event({
      ...directMessage({ user: JA_USER, channel: "DX", text: "hi" }),
      subtype: "message_changed",
    });
    expect(h.fake.calls).toHaveLength(0);
  });

  it("a plain message in a channel, a private channel or a group DM is not someone talking to the bot", async () => {
    // A "message" event arrives for every channel the bot is in: only channel_type "im" is a DM.
    for (const channelType of ["channel", "group", "mpim"]) {
      const calls = await h.event({
        ...directMessage({ user: JA_USER, channel: "C0TALK", text: "hi" }),
        channel_type: channelType,
      });
      expect(calls, channelType).toEqual([]);
    }
  });

  it("App Home shows the explanation and a start button; start opens the consultation in the DM, which continues with chat.update", async () => {
    const calls = await h.event(appHomeOpened({ user: JA_USER }));
    expect(calls.map((c) => c.method)).toEqual(["users.info", "views.publish"]);
    const view = h.fake.homeViews.get(JA_USER) as { type: string; blocks: unknown[] };
    expect(view.type).toBe("home");
    expect(text(view.blocks)).toContain("/ssl-move");
    expect(actionIdsIn(view.blocks)).toEqual(["start", "start:en"]);
    const started = await h.clickHome(JA_USER, "start");
    expect(started.map((c) => c.method)).toEqual(["chat.postMessage"]);
    // A double press (there is no message to redraw) does not open a second DM.
    expect(await h.clickHome(JA_USER, "start")).toEqual([]);
    const m = h.fake.messages[0] as FakeMessage;
    expect(m).toMatchObject({ channel: "DJAPANESE", ephemeral: false });
    expect(actionIdsIn(m.blocks)[0]).toBe("answer:validity:valid");
    const next = await h.click(m, "answer:validity:valid", { user: JA_USER });
    expect(next.calls.map((c) => c.method)).toEqual(["chat.update"]);
  });

  it("App Home presses of two users at once each open their own DM; one user's start and start:ja are two presses", async () => {
    await h.event(appHomeOpened({ user: JA_USER }));
    await h.event(appHomeOpened({ user: EN_USER }));
    expect((await h.clickHome(JA_USER, "start")).map((c) => c.method)).toEqual(["chat.postMessage"]);
    expect((await h.clickHome(EN_USER, "start")).map((c) => c.method)).toEqual(["chat.postMessage"]);
    expect((await h.clickHome(EN_USER, "start:ja")).map((c) => c.method)).toEqual(["chat.postMessage"]);
    expect(h.fake.messages.map((m) => m.channel)).toEqual(["DJAPANESE", "DENGLISH", "DENGLISH"]);
  });

  it("App Home for an English-locale user: English title and English first, Japanese after", async () => {
    await h.event(appHomeOpened({ user: EN_USER }));
    const view = h.fake.homeViews.get(EN_USER) as {
      blocks: Array<{ type: string; block_id?: string; text?: { text: string } }>;
    };
    const { flow } = loadRealFlow();
    expect(view.blocks[0]?.text?.text).toBe(flow.title.en);
    const order = view.blocks.map((b) => b.block_id).filter((id) => id?.startsWith("intro_"));
    expect(order).toEqual(["intro_en", "intro_ja"]);
    // The header gives the English title; it is not repeated under it (the Japanese one follows once).
    const all = JSON.stringify(view.blocks);
    expect(all.split(flow.title.en).length - 1).toBe(1);
    expect(all.split(flow.title.ja).length - 1).toBe(1);
  });

  it("the Messages tab opening publishes nothing", async () => {
    const calls = await h.event(appHomeOpened({ user: JA_USER, tab: "messages" }));
    expect(calls).toHaveLength(0);
  });

  it("a failing users.info falls back to Japanese", async () => {
    h.fake.failNext("users.info", { error: "user_not_found" });
    await h.event(appHomeOpened({ user: EN_USER }));
    const view = h.fake.homeViews.get(EN_USER) as { blocks: unknown[] };
    expect(actionIdsIn(view.blocks)).toEqual(["start", "start:en"]);
  });

  it("a health check answers on GET /healthz", async () => {
    const res = await fetch(h.client.url.replace("/slack/events", "/healthz"));
    expect(res.status).toBe(200);
    // What a probe that reads the body (curl, a load balancer's string match) expects.
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(await res.text()).toBe("ok\n");
  });
});
