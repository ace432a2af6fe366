import { webApi } from "@slack/bolt";
import { afterEach, describe, expect, it } from "vitest";
import { checkStaffChannel } from "../../src/slack/checkStaffChannel.ts";
import { type FakeSlack, type FakeSlackOptions, startFakeSlack } from "../../src/slack/fakeSlack/index.ts";
import { createLogger } from "../../src/slack/log.ts";
import { startApp } from "../instances/appProcess.ts";
import { BOT_TOKEN } from "../support/harness.ts";

let fake: FakeSlack | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** The check against a real Web API client and the fake Slack over HTTP; returns its verdict and log lines. */
async function check(options: FakeSlackOptions, channel = "C0STAFF") {
  fake = await startFakeSlack(options);
  const lines: string[] = [];
  const logger = createLogger({ level: "info", secrets: [], write: (line) => lines.push(line) });
  const client = new webApi.WebClient("xoxb-test", { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
  return { verdict: await checkStaffChannel(client, channel, logger), lines: lines.join("\n") };
}

describe("the start-up check of STAFF_CHANNEL_ID", () => {
  it("says so when the bot is in the channel", async () => {
    const r = await check({ channels: { C0STAFF: { name: "ssl-staff" } } });
    expect(r.verdict).toBe("member");
    expect(r.lines).toContain("staff channel C0STAFF (#ssl-staff): the bot is a member");
    expect(fake?.calls.map((c) => [c.method, c.args.channel])).toEqual([["conversations.info", "C0STAFF"]]);
  });

  it("warns, with what to do, when the bot is not in it: every Ask staff would fail", async () => {
    const r = await check({ channels: { C0STAFF: { name: "ssl-staff", isMember: false } } });
    expect(r.verdict).toBe("not_member");
    expect(r.lines).toMatch(
      /WARN.*staff channel C0STAFF \(#ssl-staff\): the bot is not a member.*\(\/invite @ssl-move-bot\)/,
    );
  });

  it("warns when the channel does not exist (or is private without the bot)", async () => {
    const r = await check({ channels: { C0GONE: null } }, "C0GONE");
    expect(r.verdict).toBe("not_found");
    expect(r.lines).toMatch(/WARN.*staff channel C0GONE not found.*check STAFF_CHANNEL_ID/);
  });

  it("only notes it cannot check an app installed before the manifest asked for channels:read", async () => {
    const r = await check({ missingScopes: ["conversations.info"] });
    expect(r.verdict).toBe("cannot_check");
    expect(r.lines).toContain("not checked; the app lacks channels:read / groups:read");
    expect(r.lines).not.toMatch(/WARN|ERROR/);
  });
});

describe("npm start with STAFF_CHANNEL_ID", () => {
  it("logs the check's verdict after it starts listening (a real app process)", async () => {
    fake = await startFakeSlack({
      botToken: BOT_TOKEN,
      channels: { C0STAFF: { name: "ssl-staff", isMember: false } },
    });
    const app = await startApp(fake, { STAFF_CHANNEL_ID: "C0STAFF" });
    try {
      await expect
        .poll(() => app.output(), { timeout: 10_000 })
        .toMatch(/staff channel C0STAFF \(#ssl-staff\): the bot is not a member/);
    } finally {
      expect((await app.stop()).code).toBe(0);
    }
  });
});
