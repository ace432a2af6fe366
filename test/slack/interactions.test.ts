import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/slack/fakeSlack/index.ts";
import { UI } from "../../src/slack/i18n.ts";
import { loadBumpedFlow, REISSUE_BEFORE_INSTALLER } from "../support/flow.ts";
import { BOT_TOKEN, Harness, readResult, SIGNING_SECRET } from "../support/harness.ts";
import { actionIdsIn, blockActions, findButton, slashCommand } from "../support/payloads.ts";
import { sign } from "../support/signedClient.ts";

const OWNER = "UOWNER1";
const CHANNEL = "C0GENERAL";

function questionOf(message: FakeMessage): string | undefined {
  return actionIdsIn(message.blocks)
    .find((id) => id.startsWith("answer:"))
    ?.split(":")[1];
}

function textOf(message: FakeMessage): string {
  return JSON.stringify(message.blocks);
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

const REISSUE = { ...REISSUE_BEFORE_INSTALLER, installer: "self" };

describe("clicks over HTTP", () => {
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

  it("a slash command draws the first question, ephemeral, with the answer buttons", async () => {
    const m = await h.command({ user: OWNER, channel: CHANNEL });
    expect(m.ephemeral).toBe(true);
    expect(m.visibleTo).toBe(OWNER);
    expect(actionIdsIn(m.blocks)).toEqual([
      "answer:validity:valid",
      "answer:validity:expired",
      "nav:lang:en",
    ]);
    expect(textOf(m)).toContain("質問 1 / 最大");
  });

  it("a click redraws the same message in place through response_url (replace_original)", async () => {
    const m = await h.command({ user: OWNER, channel: CHANNEL });
    const { status, message, calls } = await h.click(m, "answer:validity:valid");
    expect(status).toBe(200);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ kind: "response_url", ok: true, args: { replace_original: true } });
    expect(message.ts).toBe(m.ts);
    expect(message.updates).toBe(1);
    expect(questionOf(message)).toBe("current_server");
    expect(h.fake.messages).toHaveLength(1);
  });

  it("a double click (or a redelivered request) converges on the same message and advances once", async () => {
    const m = await h.command({ user: OWNER, channel: CHANNEL });
    const before = structuredClone(m);
    const payloads = [1, 2].map(() =>
      blockActions({
        message: before,
        actionId: "answer:validity:valid",
        user: OWNER,
        responseUrl: h.fake.responseUrl({ channel: CHANNEL, user: OWNER, messageTs: m.ts }),
      }),
    );
    const results = await Promise.all(payloads.map((p) => h.client.interaction(p)));
    await h.idle();
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const writes = h.fake.calls.filter((c) => c.responseContext?.messageTs === m.ts);
    expect(writes).toHaveLength(2);
    expect(writes[0]?.args).toEqual(writes[1]?.args);
    const after = h.fake.message(CHANNEL, m.ts) as FakeMessage;
    expect(questionOf(after)).toBe("current_server");
    // The same stale payload sent again later still means the same thing: no second advance.
    await h.client.interaction(payloads[0]);
    await h.idle();
    expect(questionOf(h.fake.message(CHANNEL, m.ts) as FakeMessage)).toBe("current_server");
    expect(h.fake.messages).toHaveLength(1);
  });

  it("another user's click gets an ephemeral notice and changes nothing", async () => {
    const m = await h.command({ user: OWNER, channel: CHANNEL });
    const { message, calls } = await h.click(m, "answer:validity:valid", { user: "UINTRUDER" });
    expect(message.updates).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(JSON.stringify(calls[0]?.args)).toContain(`<@${OWNER}>`);
    const notice = h.fake.messages.at(-1) as FakeMessage;
    expect(notice.visibleTo).toBe("UINTRUDER");
  });

  it("a restart of the app between two clicks loses nothing: a new instance continues from the old message", async () => {
    const m = await h.command({ user: OWNER, channel: CHANNEL });
    const one = await h.click(m, "answer:validity:valid");
    const oldPort = h.client.url;
    await h.restartApp();
    expect(h.client.url).not.toBe(oldPort);
    const two = await h.click(one.message, "answer:current_server:our_shared");
    expect(two.status).toBe(200);
    expect(questionOf(two.message)).toBe("destination_server");
    expect(textOf(two.message)).toContain("当社の共用サーバー");
  });

  it("any instance serves any click: two apps side by side answer alternately", async () => {
    const other = await Harness.start();
    try {
      const m = await h.command({ user: OWNER, channel: CHANNEL });
      const one = await h.click(m, "answer:validity:valid");
      // The second instance has its own fake; feed it the message drawn by the first.
      const copy = { ...one.message };
      other.fake.messages.push(copy);
      const two = await other.click(copy, "answer:current_server:our_shared");
      expect(questionOf(two.message)).toBe("destination_server");
    } finally {
      await other.close();
    }
  });

  it("back, change, language switch, share and start over", async () => {
    const m = await h.command({ user: OWNER, channel: CHANNEL });
    let result = await answerAll(h, m, REISSUE);
    expect(readResult(result.blocks)).toEqual({ route: "reissue", installer: "self", fee: "reissue_admin" });
    expect(textOf(result)).toContain("1,650円");

    // Language: same result, English words, same machine line.
    result = (await h.click(result, "nav:lang:en")).message;
    expect(textOf(result)).toContain("1,650 JPY incl. tax");
    expect(readResult(result.blocks)?.route).toBe("reissue");
    result = (await h.click(result, "nav:lang:ja")).message;

    // Change an answer: asked again, then the later answers that still apply are reused.
    let changed = (await h.click(result, "change:installer")).message;
    expect(questionOf(changed)).toBe("installer");
    expect(textOf(changed)).toContain("前回の回答");
    changed = (await h.click(changed, "answer:installer:us")).message;
    expect(readResult(changed.blocks)).toEqual({
      route: "reissue",
      installer: "us",
      fee: "setup_first_year",
    });
    expect(textOf(changed)).toContain("料金表のとおり");

    changed = (await h.click(changed, "change:key_exportable")).message;
    changed = (await h.click(changed, "answer:key_exportable:yes")).message;
    expect(readResult(changed.blocks)?.route).toBe("move");

    // Back from the result: the last question again.
    const back = (await h.click(changed, "nav:back")).message;
    expect(questionOf(back)).toBe("installer");
    const forward = (await h.click(back, "answer:installer:us")).message;
    expect(readResult(forward.blocks)).toEqual({ route: "move", installer: "us", fee: "setup_first_year" });

    // Share: a copy without buttons that the channel sees; the card stays.
    const share = await h.click(forward, "share");
    expect(share.calls[0]?.args).toMatchObject({ response_type: "in_channel", replace_original: false });
    const shared = h.fake.messages.at(-1) as FakeMessage;
    expect(shared.ephemeral).toBe(false);
    expect(actionIdsIn(shared.blocks)).toEqual([]);
    expect(textOf(shared)).toContain(`<@${OWNER}>`);
    expect(readResult(shared.blocks)?.route).toBe("move");
    expect(share.message.updates).toBe(forward.updates);

    // Start over: the first question, same language.
    const again = (await h.click(forward, "nav:restart")).message;
    expect(questionOf(again)).toBe("validity");
  });

  it("a double click on share posts one copy", async () => {
    const m = await answerAll(h, await h.command({ user: OWNER, channel: CHANNEL }), { validity: "expired" });
    const p = () =>
      blockActions({
        message: m,
        actionId: "share",
        user: OWNER,
        responseUrl: h.fake.responseUrl({ channel: CHANNEL, user: OWNER, messageTs: m.ts }),
      });
    await Promise.all([h.client.interaction(p()), h.client.interaction(p())]);
    await h.idle();
    expect(h.fake.messages.filter((x) => !x.ephemeral)).toHaveLength(1);
  });

  it("an answer button whose question is no longer current gets a friendly notice, not a crash", async () => {
    const m = await h.command({ user: OWNER, channel: CHANNEL });
    const next = await h.click(m, "answer:validity:valid");
    // A button for a question the state it carries is not at (e.g. hand-made by a driver).
    const { value } = findButton(next.message.blocks, "answer:current_server:our_shared")?.button ?? {};
    const forged = structuredClone(next.message);
    const found = findButton(forged.blocks, "answer:current_server:our_shared");
    if (found) found.button.action_id = "answer:installer:self";
    const res = await h.click(forged, "answer:installer:self", { value: value as string });
    expect(res.status).toBe(200);
    expect(res.calls).toHaveLength(1);
    expect(JSON.stringify(res.calls[0]?.args)).toContain("古い画面");
    expect(h.fake.message(CHANNEL, m.ts)?.updates).toBe(1);
  });

  it("only button clicks count: another element (a select, an overflow) with one of our action ids changes nothing", async () => {
    const m = await h.command({ user: OWNER, channel: CHANNEL });
    for (const type of ["static_select", "overflow"]) {
      const clicked = await h.click(m, "answer:validity:valid", {
        user: OWNER,
        edit: (payload) => {
          Object.assign((payload.actions as Record<string, unknown>[])[0] as Record<string, unknown>, {
            type,
          });
        },
      });
      expect(clicked.status).toBe(200);
      expect(clicked.calls).toEqual([]);
    }
    expect(h.fake.message(CHANNEL, m.ts)?.updates).toBe(0);
  });

  it("a button value that is not ours gets a notice", async () => {
    const m = await h.command({ user: OWNER, channel: CHANNEL });
    const res = await h.click(m, "answer:validity:valid", { value: "garbage|value" });
    expect(res.calls[0]?.args).toMatchObject({ response_type: "ephemeral" });
    expect(JSON.stringify(res.calls[0]?.args)).toContain("読み取れません");
    expect(res.message.updates).toBe(0);
  });

  it("a message drawn with an older flow version gets a notice with a start-over button", async () => {
    const m = await h.command({ user: OWNER, channel: CHANNEL });
    const one = await h.click(m, "answer:validity:valid");
    const original = h.compiled;
    await h.restartApp(loadBumpedFlow());
    try {
      const stale = await h.click(one.message, "answer:current_server:our_shared");
      expect(stale.message.updates).toBe(2);
      expect(textOf(stale.message)).toMatch(/v1 → v2/);
      expect(actionIdsIn(stale.message.blocks)).toEqual(["nav:restart"]);
      const fresh = await h.click(stale.message, "nav:restart");
      expect(questionOf(fresh.message)).toBe("validity");
      const next = await h.click(fresh.message, "answer:validity:valid");
      expect(questionOf(next.message)).toBe("current_server");
    } finally {
      await h.restartApp(original);
    }
  });

  it("a forged signature and a stale timestamp are refused with 401 and nothing is posted", async () => {
    const responseUrl = h.fake.responseUrl({ channel: CHANNEL, user: OWNER });
    const fields = slashCommand({ user: OWNER, channel: CHANNEL, responseUrl });
    const forged = await h.client.command(fields, {
      signature: sign("not-the-secret", Math.floor(Date.now() / 1000), "x"),
    });
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const old = await h.client.command(fields, { timestamp: stale });
    await h.idle();
    expect(forged.status).toBe(401);
    expect(old.status).toBe(401);
    expect(h.fake.calls).toHaveLength(0);
    expect(h.fake.messages).toHaveLength(0);
  });

  it("when Slack fails, the failure is logged with context, the user hears back, and the app keeps working", async () => {
    const m = await h.command({ user: OWNER, channel: CHANNEL });
    h.fake.failNext("response_url", { status: 500, error: "boom" });
    const failed = await h.click(m, "answer:validity:valid");
    expect(failed.status).toBe(200);
    expect(failed.message.updates).toBe(0);
    expect(failed.calls.map((c) => [c.ok, c.args.response_type ?? "replace"])).toEqual([
      [false, "replace"],
      [true, "ephemeral"],
    ]);
    expect(JSON.stringify(failed.calls[1]?.args)).toContain("Slackへの送信に失敗しました");
    const line = h.logs.find((l) => l.includes("slack call failed"));
    expect(line).toContain("answer:validity:valid");
    expect(line).toContain(OWNER);
    const retry = await h.click(m, "answer:validity:valid");
    expect(questionOf(retry.message)).toBe("current_server");
  });

  it("the failure notice is in the consultation's language", async () => {
    const m = await h.command({ text: "en", user: OWNER, channel: CHANNEL });
    h.fake.failNext("response_url", { status: 500, error: "boom" });
    const failed = await h.click(m, "answer:validity:valid");
    expect(failed.calls.map((c) => c.args.response_type ?? "replace")).toEqual(["replace", "ephemeral"]);
    expect(failed.calls[1]?.args.text).toBe(UI.en.slackFailed);
  });

  it("never writes a token or the signing secret to the log, even at debug level", () => {
    expect(h.logs.length).toBeGreaterThan(2); // this suite's warnings and debug lines
    for (const line of h.logs) {
      expect(line).not.toContain(BOT_TOKEN);
      expect(line).not.toContain(SIGNING_SECRET);
    }
  });
});
