import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type SlackIO, sendNotice } from "../../src/slack/deliver.ts";
import type { FakeMessage } from "../../src/slack/fakeSlack/index.ts";
import { UI } from "../../src/slack/i18n.ts";
import { createLogger } from "../../src/slack/log.ts";
import { renderNotice } from "../../src/slack/render/notice.ts";
import { responders } from "../../src/slack/responseUrl.ts";
import { Harness } from "../support/harness.ts";
import {
  actionIdsIn,
  appHomeOpened,
  appMention,
  blockActions,
  directMessage,
  eventEnvelope,
  slashCommand,
} from "../support/payloads.ts";
import { faulty, type TestRecords, testRecords } from "./recordsSupport.ts";

/**
 * Slack's own delivery rules: an event is delivered again (same event_id)
 * after about 0 s, 1 min and 5 min when it thinks the first try was missed;
 * a response_url stops working after 5 uses or 30 minutes; a busy workspace
 * answers HTTP 429 with Retry-After.
 */

let h: Harness | undefined;
let records: TestRecords | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await h?.close();
  await records?.close();
  h = undefined;
  records = undefined;
});
const callsOf = (hh: Harness, method: string) => hh.fake.calls.filter((c) => c.method === method);
const retry = { "x-slack-retry-num": "2", "x-slack-retry-reason": "http_timeout" };

describe("an event delivered again", () => {
  it("a mention redelivered a minute later (Slack's second retry) is answered once", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    h = await Harness.start();
    const mention = appMention({ user: "U1", channel: "C1", text: "<@UBOT0FAKE>" });
    await h.event(mention, "EvAGAIN1");
    vi.setSystemTime(Date.now() + 61_000);
    const res = await h.client.event(eventEnvelope(mention, "EvAGAIN1"), { headers: retry });
    expect(res.status).toBe(200);
    await h.idle();
    expect(callsOf(h, "chat.postEphemeral")).toHaveLength(1);
  });

  it("a mention redelivered to another (or a restarted) instance is answered once and starts one consultation", async () => {
    records = testRecords();
    // Counts the "started" write-throughs that claim a mention's start.
    let claims = 0;
    const counted = faulty("record", () => void claims++);
    h = await Harness.start({ records: counted(records) });
    const mention = appMention({ user: "U1", channel: "C1", text: "<@UBOT0FAKE>" });
    expect((await h.event(mention, "EvAGAIN2")).map((c) => c.method)).toEqual(["chat.postEphemeral"]);
    await h.restartApp(); // forgets what it saw; the records remember
    const mark = h.fake.mark();
    const before = claims;
    await h.client.event(eventEnvelope(mention, "EvAGAIN2"), { headers: retry });
    // The redelivery reached the records (it was dropped by them, not before), and its work is in flight.
    await vi.waitFor(() => expect(claims).toBeGreaterThan(before));
    await h.idle();
    await records.settle();
    // Nothing at all for the redelivery: the store already held its "started".
    expect(h.fake.calls.filter((c) => c.seq > mark)).toEqual([]);
    expect(callsOf(h, "chat.postEphemeral")).toHaveLength(1);
    expect(records.events().filter((e) => e.kind === "started")).toHaveLength(1);
  });

  it("a direct message redelivered five minutes later gets one start offer", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    h = await Harness.start();
    const dm = directMessage({ user: "U1", channel: "D1", text: "こんにちは" });
    await h.event(dm, "EvAGAIN3");
    vi.setSystemTime(Date.now() + 5 * 60_000 + 1_000);
    await h.client.event(eventEnvelope(dm, "EvAGAIN3"), { headers: retry });
    await h.idle();
    expect(callsOf(h, "chat.postMessage")).toHaveLength(1);
  });

  it("a DM, a help mention and an App Home double press reaching another (or a restarted) instance are answered once", async () => {
    records = testRecords();
    h = await Harness.start({ records });
    const dm = directMessage({ user: "U1", channel: "D1", text: "hi" });
    const help = appMention({ user: "U1", channel: "C1", text: "<@UBOT0FAKE> help" });
    await h.event(dm, "EvAGAIN4");
    await h.event(help, "EvAGAIN5");
    await h.event(appHomeOpened({ user: "U2" }));
    expect(await h.clickHome("U2", "start")).toHaveLength(1);
    await h.restartApp(); // forgets what it saw; the records remember
    expect(await h.event(dm, "EvAGAIN4")).toEqual([]);
    expect(await h.event(help, "EvAGAIN5")).toEqual([]);
    expect(await h.clickHome("U2", "start")).toEqual([]);
    // Another user's press in the same window is not the same press.
    await h.event(appHomeOpened({ user: "U3" }));
    expect((await h.clickHome("U3", "start")).map((c) => c.method)).toEqual(["chat.postMessage"]);
    // Other deliveries are answered as ever.
    expect((await h.event(dm, "EvOTHER4")).map((c) => c.method)).toContain("chat.postMessage");
    expect((await h.event(help, "EvOTHER5")).map((c) => c.method)).toEqual(["chat.postEphemeral"]);
    expect(h.logs.join("\n")).not.toMatch(/delivery claim failed/);
  });
  it("with the database down, a DM and an App Home press are still answered (a second answer is better than none)", async () => {
    records = testRecords();
    h = await Harness.start({ records });
    await h.event(appHomeOpened({ user: "U2" }));
    records.down = true;
    const dm = await h.event(directMessage({ user: "U1", channel: "D1", text: "hi" }), "EvDOWN1");
    expect(dm.map((c) => c.method)).toContain("chat.postMessage");
    expect((await h.clickHome("U2", "start")).map((c) => c.method)).toEqual(["chat.postMessage"]);
    expect(h.logs.join("\n")).toMatch(/delivery claim failed; answering anyway/);
  });

  it("two different direct messages without an event_id are both answered (nothing to tell a redelivery by)", async () => {
    records = testRecords();
    h = await Harness.start({ records });
    for (const text of ["hi", "hello"]) {
      const { event_id: _, ...envelope } = eventEnvelope(directMessage({ user: "U1", channel: "D1", text }));
      expect((await h.client.event(envelope)).status).toBe(200);
      await h.idle();
    }
    expect(callsOf(h, "chat.postMessage")).toHaveLength(2);
  });

  it("a help mention is answered once but starts nothing: only a start is recorded as one", async () => {
    records = testRecords();
    h = await Harness.start({ records });
    const help = appMention({ user: "U1", channel: "C1", text: "<@UBOT0FAKE> help" });
    expect((await h.event(help, "EvHELP1")).map((c) => c.method)).toEqual(["chat.postEphemeral"]);
    await records.settle();
    expect(records.events().filter((e) => e.kind === "started")).toEqual([]);
  });
});

describe("Slack refusing a call", () => {
  it("a response_url that no longer works (used up or expired): the failure notice reaches the clicker another way", async () => {
    h = await Harness.start();
    const first = await h.command({ user: "UOWNER", channel: "C1" });
    h.fake.failNext("response_url", { status: 404, error: "expired_url" }, 5);
    const { calls } = await h.click(first, "answer:validity:valid");
    const notice = calls.find((c) => c.method === "chat.postEphemeral");
    expect(notice?.args).toMatchObject({ channel: "C1", user: "UOWNER" });
    expect(String(notice?.args.text)).toBe(UI.ja.slackFailed);
  });

  it("a response_url that took the notice but answered too late: no second copy through chat.postEphemeral", async () => {
    const arrived: string[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        arrived.push("response_url");
        setTimeout(() => res.end("ok"), 1_000);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const io = {
        logger: createLogger({ level: "error", secrets: [], write: () => {} }),
        context: {},
        respond: responders([`http://127.0.0.1:${port}`], 200)(`http://127.0.0.1:${port}/hooks/late`),
        client: { chat: { postEphemeral: async () => void arrived.push("chat.postEphemeral") } },
      } as unknown as SlackIO;
      const sent = await sendNotice(
        io,
        { user: "U1", channel: "C1", ephemeral: true, inView: false },
        renderNotice("…"),
      );
      expect(sent).toBe(false);
      expect(arrived).toEqual(["response_url"]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("a click whose response_url is not on Slack's hosts: nothing is posted there, nothing redrawn", async () => {
    const arrived: string[] = [];
    const elsewhere = createServer((req, res) => {
      arrived.push(req.url ?? "");
      res.end("ok");
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    try {
      records = testRecords();
      h = await Harness.start({ records });
      const first = await h.command({ user: "UOWNER", channel: "C1" });
      const drawn = JSON.stringify(first.blocks); // the fake updates its message objects in place
      const { port } = elsewhere.address() as AddressInfo;
      // Signed correctly, as a leaked signing secret would allow: the app must not become a proxy.
      const res = await h.client.interaction(
        blockActions({
          message: first,
          actionId: "answer:validity:valid",
          user: "UOWNER",
          responseUrl: `http://127.0.0.1:${port}/internal/admin`,
        }),
      );
      expect(res.status).toBe(200);
      await h.idle();
      await records.settle();
      expect(arrived).toEqual([]);
      // Nothing was sent there, so the failure notice reaches the clicker through the Web API.
      const notice = callsOf(h, "chat.postEphemeral");
      expect(notice.map((c) => c.args)).toMatchObject([{ channel: "C1", user: "UOWNER" }]);
      expect(String(notice[0]?.args.text)).toBe(UI.ja.slackFailed);
      // Nothing was redrawn either (the click itself, signed, is recorded as any click whose redraw failed).
      expect(JSON.stringify(h.fake.message(first.channel, first.ts)?.blocks)).toBe(drawn);
      // The real button still works.
      const { message } = await h.click(first, "answer:validity:valid");
      expect(JSON.stringify(message.blocks)).not.toBe(drawn);
    } finally {
      elsewhere.closeAllConnections();
      elsewhere.close();
    }
  });

  it("a short rate limit on an event's reply is waited out once (nobody waits on its ack)", async () => {
    h = await Harness.start();
    h.fake.failNext("chat.postMessage", { status: 429 }); // Retry-After: 1
    await h.event(directMessage({ user: "U1", channel: "D1", text: "hi" }), "EvLIMIT1");
    await h.idle();
    await vi.waitFor(
      () => expect(callsOf(h as Harness, "chat.postMessage").map((c) => c.status)).toEqual([429, 200]),
      {
        timeout: 5_000,
      },
    );
    h.fake.failNext("views.publish", { status: 429 });
    await h.event({ type: "app_home_opened", user: "U1", tab: "home", channel: "D1" }, "EvLIMIT2");
    await vi.waitFor(
      () => expect(callsOf(h as Harness, "views.publish").map((c) => c.status)).toEqual([429, 200]),
      {
        timeout: 5_000,
      },
    );
  });

  it("a click's redraw rate-limited for a second is waited out once and drawn, with no failure notice", async () => {
    h = await Harness.start();
    const first = await h.command({ user: "UOWNER", channel: "C1" });
    h.fake.failNext("response_url", { status: 429 }); // Retry-After: 1
    const started = Date.now();
    const { status, message, calls } = await h.click(first, "answer:validity:valid");
    expect(status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(calls.map((c) => [c.method, c.status])).toEqual([
      ["response_url", 429],
      ["response_url", 200],
    ]);
    expect(calls[1]?.args.replace_original).toBe(true);
    expect(JSON.stringify(message.blocks)).not.toContain(UI.ja.slackFailed);
    expect(h.logs.join("\n")).toMatch(/rate-limited: respond\(replace_original\); trying again in 1 s/);

    // In a DM the redraw is chat.update: the same.
    await h.event(directMessage({ user: "U2", channel: "D2", text: "hi" }));
    const offer = h.fake.messages.find((m) => m.channel === "D2") as FakeMessage;
    h.fake.failNext("chat.update", { status: 429 });
    const dm = await h.click(offer, "start", { user: "U2" });
    expect(dm.calls.filter((c) => c.method === "chat.update").map((c) => c.status)).toEqual([429, 200]);
    expect(dm.calls.map((c) => c.method)).not.toContain("chat.postEphemeral");
  });

  it("a click's redraw rate-limited for longer than 2 s gets the failure notice at once", async () => {
    h = await Harness.start();
    const first = await h.command({ user: "UOWNER", channel: "C1" });
    h.fake.failNext("response_url", { status: 429, retryAfterS: 30 });
    const started = Date.now();
    const { calls } = await h.click(first, "answer:validity:valid");
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(calls.map((c) => [c.method, c.status])).toEqual([
      ["response_url", 429],
      ["response_url", 200],
    ]);
    expect(calls[1]?.args).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(JSON.stringify(calls[1]?.args)).toContain(UI.ja.slackFailed);
  });

  it("a redraw Slack fails with a 500 is tried only as often as the app's retries allow (here once): the failure notice comes at once", async () => {
    h = await Harness.start();
    await h.event(directMessage({ user: "U2", channel: "D2", text: "hi" }));
    const offer = h.fake.messages.find((m) => m.channel === "D2") as FakeMessage;
    h.fake.failNext("chat.update", { status: 500 }, 3);
    const started = Date.now();
    const { calls } = await h.click(offer, "start", { user: "U2" });
    // The client's default retries would wait seconds between tries (and show in the calls below).
    expect(Date.now() - started).toBeLessThan(3_000);
    // Not redrawn on a second try: the clicker hears at once that it failed (through the click's response_url).
    expect(calls.map((c) => [c.method, c.status])).toEqual([
      ["chat.update", 500],
      ["response_url", 200],
    ]);
    expect(calls[1]?.args).toMatchObject({ response_type: "ephemeral", text: UI.ja.slackFailed });
  });

  it("a slash command whose opening message Slack refused records no start", async () => {
    records = testRecords();
    h = await Harness.start({ records });
    // A 5xx may have arrived all the same: no second copy through chat.postEphemeral.
    h.fake.failNext("response_url", { status: 503, error: "unavailable" });
    const mark = h.fake.mark();
    await expect(h.command({ user: "UOWNER", channel: "C1" })).rejects.toThrow(/drew no message/);
    expect(h.fake.calls.filter((c) => c.seq > mark && c.method === "chat.postEphemeral")).toEqual([]);
    // Refused at the URL (used up) and in the channel too: nothing shown anywhere.
    h.fake.failNext("response_url", { status: 404, error: "expired_url" });
    h.fake.failNext("chat.postEphemeral", { error: "channel_not_found" });
    await expect(h.command({ user: "UOWNER", channel: "C1" })).rejects.toThrow(/drew no message/);
    await records.settle();
    expect(records.events().filter((e) => e.kind === "started")).toEqual([]);
    // Handled and logged as a failed call, not thrown on to app.error.
    expect(h.logs.join("\n")).toMatch(/slack call failed: respond\(command\)/);
  });

  it("a slash command whose response_url is refused (used up, gone, not Slack's) shows its screen in the channel with chat.postEphemeral, and starts", async () => {
    records = testRecords();
    h = await Harness.start({ records });
    h.fake.failNext("response_url", { status: 404, error: "expired_url" });
    const mark = h.fake.mark();
    const res = await h.client.command(
      slashCommand({
        user: "UOWNER",
        channel: "C1",
        responseUrl: h.fake.responseUrl({ channel: "C1", user: "UOWNER" }),
      }),
    );
    expect(res.status).toBe(200);
    await h.idle();
    // Not Slack's host: refused before anything is sent.
    await h.client.command(
      slashCommand({ user: "UOWNER", channel: "C1", text: "en", responseUrl: "https://evil.example/r" }),
    );
    await h.idle();
    const shown = h.fake.calls.filter((c) => c.seq > mark && c.method === "chat.postEphemeral");
    expect(shown.map((c) => [c.ok, c.args.user, c.args.channel])).toEqual([
      [true, "UOWNER", "C1"],
      [true, "UOWNER", "C1"],
    ]);
    expect(shown.map((c) => actionIdsIn(c.args.blocks as unknown[]))).toEqual([
      expect.arrayContaining(["answer:validity:valid"]),
      expect.arrayContaining(["answer:validity:valid"]),
    ]);
    await records.settle();
    expect(records.events().filter((e) => e.kind === "started")).toHaveLength(2);
  });

  it("a help command draws the help but records no start", async () => {
    records = testRecords();
    h = await Harness.start({ records });
    expect((await h.command({ text: "help", user: "UOWNER", channel: "C1" })).blocks.length).toBeGreaterThan(
      0,
    );
    await records.settle();
    expect(records.events().filter((e) => e.kind === "started")).toEqual([]);
  });

  it("a rate limit of 3 s on a mention's or a DM's reply is waited out (events wait longer than a waiting person)", async () => {
    h = await Harness.start();
    h.fake.failNext("chat.postEphemeral", { status: 429, retryAfterS: 3 });
    h.fake.failNext("chat.postMessage", { status: 429, retryAfterS: 3 });
    await Promise.all([
      h.event(appMention({ user: "U1", channel: "C1", text: "<@UBOT0FAKE>" }), "EvLIMIT3"),
      h.event(directMessage({ user: "U1", channel: "D1", text: "hi" }), "EvLIMIT4"),
    ]);
    await h.idle();
    await vi.waitFor(
      () => {
        const hh = h as Harness;
        expect(callsOf(hh, "chat.postEphemeral").map((c) => c.status)).toEqual([429, 200]);
        expect(callsOf(hh, "chat.postMessage").map((c) => c.status)).toEqual([429, 200]);
      },
      { timeout: 6_000 },
    );
  });
});

describe("threads", () => {
  it("a direct message in a thread is answered in that thread", async () => {
    h = await Harness.start();
    const dm = {
      ...directMessage({ user: "U1", channel: "D1", text: "hi" }),
      thread_ts: "1700000000.000100",
    };
    await h.event(dm, "EvTHREAD1");
    expect(callsOf(h, "chat.postMessage")[0]?.args).toMatchObject({
      channel: "D1",
      thread_ts: "1700000000.000100",
    });
  });
});
