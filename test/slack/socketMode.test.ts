import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackApp } from "../../src/slack/app.ts";
import { createSlackApp } from "../../src/slack/app.ts";
import { type FakeSlack, startFakeSlack } from "../../src/slack/fakeSlack/index.ts";
import { createLogger } from "../../src/slack/log.ts";
import { BOT_TOKEN, loadDefaultFlow, testConfig } from "../support/harness.ts";
import { actionIdsIn, blockActions, slashCommand } from "../support/payloads.ts";

const APP_TOKEN = "xapp-1-test-socket-mode";

/**
 * Socket Mode end to end: the real Bolt app connects to the fake's WebSocket
 * (apps.connections.open with the app-level token), receives a slash command
 * and clicks as envelopes, acknowledges each, and answers through response_url.
 */
describe("Socket Mode", () => {
  let fake: FakeSlack;
  let slack: SlackApp;

  beforeAll(async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    const { signingSecret: _unused, ...http } = testConfig(fake.apiUrl);
    slack = createSlackApp({
      config: { ...http, socketMode: true, appToken: APP_TOKEN },
      compiled: loadDefaultFlow(),
      logger: createLogger({ level: "warn", secrets: [BOT_TOKEN, APP_TOKEN] }),
      retries: 0,
    });
    await slack.start();
    await fake.socketMode?.connected();
  });

  afterAll(async () => {
    await slack?.stop(2_000);
    await fake?.close();
  });

  it("opens the connection with the app-level token", () => {
    const open = fake.calls.find((c) => c.method === "apps.connections.open");
    expect(open?.ok).toBe(true);
  });

  it("runs a consultation from a slash command to its result over the socket", async () => {
    const socket = fake.socketMode;
    if (!socket) throw new Error("the fake has no Socket Mode side");
    const responseUrl = fake.responseUrl({ channel: "C0SOCKET", user: "U0SOCKET" });
    const drawn = fake.nextCall((c) => c.responseUrl === responseUrl);
    const ack = await socket.send(
      "slash_commands",
      slashCommand({ user: "U0SOCKET", channel: "C0SOCKET", responseUrl }),
    );
    expect(ack.envelope_id).toBeTruthy();
    await drawn;
    for (const [question, option] of [
      ["validity", "valid"],
      ["current_server", "our_shared"],
      ["destination_server", "dedicated_vps_cloud"],
      ["installer", "self"],
    ] as const) {
      const message = fake.messageFor(responseUrl);
      if (!message) throw new Error("no consultation message");
      const actionId = `answer:${question}:${option}`;
      expect(actionIdsIn(message.blocks)).toContain(actionId);
      const url = fake.responseUrl({ channel: message.channel, user: "U0SOCKET", messageTs: message.ts });
      const redrawn = fake.nextCall((c) => c.responseUrl === url);
      await socket.send(
        "interactive",
        blockActions({ message, actionId, user: "U0SOCKET", responseUrl: url }),
      );
      await redrawn;
    }
    const result = fake.messageFor(responseUrl);
    expect(JSON.stringify(result?.blocks)).toContain("route: handover · installer: self · fee: none");
  });
});
