import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { replaceMessage, type SlackIO } from "../../src/slack/deliver.ts";
import type { FakeMessage } from "../../src/slack/fakeSlack/index.ts";
import { UI } from "../../src/slack/i18n.ts";
import { createLogger } from "../../src/slack/log.ts";
import { renderNotice } from "../../src/slack/render/notice.ts";
import { responders } from "../../src/slack/responseUrl.ts";
import { Harness } from "../support/harness.ts";
import { actionIdsIn, directMessage } from "../support/payloads.ts";

/**
 * Where a click's redraw, notice or shared copy goes (src/slack/deliver.ts): response_url, chat.update,
 * chat.postEphemeral or chat.postMessage, depending on what the click's payload carries and on
 * how Slack answers.
 */

const OWNER = "UOWNER";
const CHANNEL = "C1";

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.fake.reset();
});

const methods = (calls: Array<{ method: string }>) => calls.map((c) => c.method);
/** The DM start offer a direct message gets: a normal message, so clicks redraw it with chat.update. */
async function dmOffer(user: string, channel: string): Promise<FakeMessage> {
  await h.event(directMessage({ user, channel, text: "hi" }));
  return h.fake.messages.find((m) => m.channel === channel) as FakeMessage;
}

describe("a click whose payload lacks a part", () => {
  it("on an ephemeral message without a response_url: nothing can redraw it, so the failure notice comes through chat.postEphemeral", async () => {
    const first = await h.command({ user: OWNER, channel: CHANNEL });
    const logged = h.logs.length;
    const { calls } = await h.click(first, "answer:validity:valid", {
      edit: (payload) => {
        delete payload.response_url;
      },
    });
    expect(methods(calls)).toEqual(["chat.postEphemeral"]);
    expect(calls[0]?.args).toMatchObject({ channel: CHANNEL, user: OWNER, text: UI.ja.slackFailed });
    // Nothing was tried that could fail: there was no response_url to post to.
    expect(h.logs.slice(logged).join("\n")).not.toContain("slack call failed");
  });

  it("in a DM without the message or the channel: the container still names the message chat.update redraws", async () => {
    const damage: Array<(payload: Record<string, unknown>) => void> = [
      (payload) => {
        delete payload.message;
      },
      (payload) => {
        delete payload.channel;
      },
      // Not a string: only the container's ts is one.
      (payload) => {
        (payload.message as Record<string, unknown>).ts = 1_700_000_000.0001;
      },
    ];
    for (const [i, edit] of damage.entries()) {
      const offer = await dmOffer(`U${i}DM`, `D${i}DM`);
      const { calls, message } = await h.click(offer, "start", { user: `U${i}DM`, edit });
      expect(methods(calls), `damage ${i}`).toEqual(["chat.update"]);
      expect(calls[0]?.args, `damage ${i}`).toMatchObject({ channel: `D${i}DM`, ts: offer.ts });
      expect(actionIdsIn(message.blocks)[0], `damage ${i}`).toBe("answer:validity:valid");
    }
  });

  it("share without a response_url: the copy is posted to the channel with chat.postMessage", async () => {
    const offer = await dmOffer("USHARE", "DSHARE");
    const question = (await h.click(offer, "start", { user: "USHARE" })).message;
    const result = (await h.click(question, "answer:validity:expired", { user: "USHARE" })).message;
    expect(actionIdsIn(result.blocks)).toContain("share");
    const { calls } = await h.click(result, "share", {
      user: "USHARE",
      edit: (payload) => {
        delete payload.response_url;
      },
    });
    expect(methods(calls)).toEqual(["chat.postMessage"]);
    expect(calls[0]?.args.channel).toBe("DSHARE");
    const copy = h.fake.messages.at(-1) as FakeMessage;
    expect(copy).toMatchObject({ channel: "DSHARE", ephemeral: false });
    expect(actionIdsIn(copy.blocks)).toEqual([]);
  });
});

describe("a response_url refusing the failure notice", () => {
  it("gone (410) like used up (404): nothing arrived, so chat.postEphemeral brings it; a 5xx may have arrived, so no second copy", async () => {
    for (const [status, fallback] of [
      [410, true],
      [500, false],
      [503, false],
    ] as const) {
      const first = await h.command({ user: OWNER, channel: CHANNEL });
      // The redraw and then the notice are both refused.
      h.fake.failNext("response_url", { status }, 2);
      const { calls } = await h.click(first, "answer:validity:valid");
      expect(
        calls.map((c) => [c.method, c.status]),
        String(status),
      ).toEqual([
        ["response_url", status],
        ["response_url", status],
        ...(fallback ? [["chat.postEphemeral", 200]] : []),
      ]);
      if (fallback) expect(calls[2]?.args).toMatchObject({ channel: CHANNEL, user: OWNER });
    }
  });
});

describe("rate limits on a click", () => {
  it("a redraw rate-limited for exactly 2 s (the most a click waits) is waited out and drawn", async () => {
    const first = await h.command({ user: OWNER, channel: CHANNEL });
    h.fake.failNext("response_url", { status: 429, retryAfterS: 2 });
    const started = Date.now();
    const { calls } = await h.click(first, "answer:validity:valid");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(calls.map((c) => [c.method, c.status])).toEqual([
      ["response_url", 429],
      ["response_url", 200],
    ]);
    expect(calls[1]?.args.replace_original).toBe(true);
  });

  it("only a 429's Retry-After is waited for: a 503 that sends one is a failure at once", async () => {
    let posts = 0;
    const server = createServer((req, res) => {
      req.resume();
      posts++;
      res.writeHead(503, { "retry-after": "1" }).end("unavailable");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const io = {
        logger: createLogger({ level: "error", secrets: [], write: () => {} }),
        context: {},
        respond: responders([origin])(`${origin}/hooks/busy`),
        client: {},
      } as unknown as SlackIO;
      const started = Date.now();
      const drawn = await replaceMessage(
        io,
        { user: "U1", channel: "C1", ephemeral: true, inView: false },
        renderNotice("…"),
      );
      expect(drawn).toBe(false);
      expect(posts).toBe(1);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe("rate limits on a command's reply", () => {
  // The person typed the command and waits for the first screen, as after a click.
  it("a first screen rate-limited for 1 s is waited out and shown", async () => {
    h.fake.failNext("response_url", { status: 429, retryAfterS: 1 });
    const started = Date.now();
    const first = await h.command({ user: OWNER, channel: CHANNEL });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(h.fake.calls.map((c) => [c.method, c.status])).toEqual([
      ["response_url", 429],
      ["response_url", 200],
    ]);
    expect(actionIdsIn(first.blocks)).toContain("answer:validity:valid");
  });

  it("a limit that comes back after the wait is not waited out again", async () => {
    h.fake.failNext("response_url", { status: 429, retryAfterS: 1 }, 2);
    await expect(h.command({ user: OWNER, channel: CHANNEL })).rejects.toThrow(/drew no message/);
    expect(h.fake.calls.map((c) => [c.method, c.status])).toEqual([
      ["response_url", 429],
      ["response_url", 429],
    ]);
  });
});

describe("rate limits on an event's reply", () => {
  it("Retry-After: 0 is tried again at once", async () => {
    h.fake.failNext("chat.postMessage", { status: 429, retryAfterS: 0 });
    const calls = await h.event(directMessage({ user: "UZERO", channel: "DZERO", text: "hi" }));
    expect(calls.filter((c) => c.method === "chat.postMessage").map((c) => c.status)).toEqual([429, 200]);
  });
});
