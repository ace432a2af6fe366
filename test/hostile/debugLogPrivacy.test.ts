import { afterEach, expect, it } from "vitest";
import { createSlackApp, type SlackApp } from "../../src/slack/app.ts";
import { type FakeSlack, startFakeSlack } from "../../src/slack/fakeSlack/index.ts";
import { createLogger } from "../../src/slack/log.ts";
import { BOT_TOKEN, Harness, loadDefaultFlow, testConfig } from "../support/harness.ts";
import { appHomeOpened, directMessage, eventEnvelope, slashCommand } from "../support/payloads.ts";

/**
 * LOG_LEVEL=debug is for finding faults, not for collecting customer data.
 * Bolt, @slack/socket-mode and the Web API client log at debug every body
 * whole (what customers type after the command, in a DM or a mention), each
 * response_url (a bearer URL that can post into the customer's channel for 30
 * minutes) and every users.info answer (a customer's profile). The app gives
 * them its logger without debug output (forFramework); its own debug lines stay.
 */
const TYPED = "電話は 090-1234-5678 です PRIVATE-TEXT";
const APP_TOKEN = "xapp-1-audit-socket";

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

it("Socket Mode at LOG_LEVEL=debug: no typed text and no response_url in the log", async () => {
  const lines: string[] = [];
  const fake: FakeSlack = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
  const { signingSecret: _unused, ...http } = testConfig(fake.apiUrl);
  const slack: SlackApp = createSlackApp({
    config: { ...http, socketMode: true, appToken: APP_TOKEN, logLevel: "debug" },
    compiled: loadDefaultFlow(),
    logger: createLogger({ level: "debug", secrets: [BOT_TOKEN, APP_TOKEN], write: (l) => lines.push(l) }),
    retries: 0,
  });
  cleanup.push(
    () => fake.close(),
    () => slack.stop(2000),
  );
  await slack.start();
  const socket = fake.socketMode;
  if (!socket) throw new Error("no Socket Mode side");
  await socket.connected();
  const responseUrl = fake.responseUrl({ channel: "C0SOCKET", user: "U0SOCKET" });
  await socket.send(
    "slash_commands",
    slashCommand({ user: "U0SOCKET", channel: "C0SOCKET", responseUrl, text: TYPED }),
  );
  await socket.send(
    "events_api",
    eventEnvelope(directMessage({ user: "U0SOCKET", channel: "D0SOCKET", text: TYPED })),
  );
  await slack.inflight.drain(5000);
  const leaked = lines.filter((l) => l.includes("PRIVATE-TEXT") || l.includes(responseUrl));
  expect(leaked.map((l) => l.slice(0, 160))).toEqual([]);
});

it("HTTP mode at LOG_LEVEL=debug: a customer's Slack profile (users.info) is not logged", async () => {
  // The fake answers users.info with this name (as Slack answers real_name, title, phone, …).
  const users = { UCUST1: { name: "Hanako Sato", locale: "ja-JP" } } as Record<string, { locale?: string }>;
  const h = await Harness.start({ users });
  cleanup.push(() => h.close());
  await h.event(appHomeOpened({ user: "UCUST1" }));
  expect(h.logs.filter((l) => l.includes("Hanako Sato")).map((l) => l.slice(0, 160))).toEqual([]);
  // The app's own debug lines are still there (the harness logs at debug): a click refused to another user.
  const card = await h.command({ user: "UCUST1", channel: "C1" });
  await h.click(card, "answer:validity:valid", { user: "USOMEONE" });
  expect(h.logs.some((l) => / DEBUG .*click refused/.test(l))).toBe(true);
});
