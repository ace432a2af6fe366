import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlackApp, type SlackApp } from "../../src/slack/app.ts";
import { type FakeSlack, startFakeSlack } from "../../src/slack/fakeSlack/index.ts";
import { UI } from "../../src/slack/i18n.ts";
import { createLogger } from "../../src/slack/log.ts";
import { BOT_TOKEN, loadDefaultFlow, testConfig } from "../support/harness.ts";
import { appMention, directMessage, eventEnvelope, slashCommand } from "../support/payloads.ts";
import { runs } from "../support/propertyRuns.ts";
import { CHANNEL, clientText, OWNER } from "./support.ts";

/**
 * Malformed envelopes over Socket Mode, where an envelope the app does not
 * acknowledge is sent again: each is acknowledged, crashes nothing (an
 * unhandled rejection ends a plain Node process) and is logged without its
 * values (every hostile string here starts with "~").
 */
const APP_TOKEN = "xapp-1-hostile-socket-mode";
const HUGE = `~${"q".repeat(10_000)}`;
const click = (o: Record<string, unknown>) => ({
  type: "block_actions",
  user: { id: OWNER, team_id: "T0FAKE" },
  team: { id: "T0FAKE" },
  channel: { id: CHANNEL },
  container: { type: "message", channel_id: CHANNEL, message_ts: "1.1", is_ephemeral: true },
  actions: [{ type: "button", action_id: "answer:validity:valid", value: "~not a state", block_id: "b" }],
  ...o,
});

describe("hostile Socket Mode envelopes", () => {
  let fake: FakeSlack;
  let slack: SlackApp;
  const lines: string[] = [];
  const crashes: unknown[] = [];
  const onCrash = (reason: unknown) => void crashes.push(reason);
  beforeAll(async () => {
    process.on("unhandledRejection", onCrash);
    process.on("uncaughtException", onCrash);
    fake = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    const { signingSecret: _unused, ...http } = testConfig(fake.apiUrl);
    slack = createSlackApp({
      config: { ...http, socketMode: true, appToken: APP_TOKEN },
      compiled: loadDefaultFlow(),
      logger: createLogger({ level: "debug", secrets: [BOT_TOKEN, APP_TOKEN], write: (l) => lines.push(l) }),
      retries: 0,
    });
    await slack.start();
    await fake.socketMode?.connected();
  });
  afterAll(async () => {
    await slack?.stop(2000);
    await fake?.close();
    process.off("unhandledRejection", onCrash);
    process.off("uncaughtException", onCrash);
  });

  it.each<[string, "events_api" | "interactive" | "slash_commands", unknown]>([
    // @slack/socket-mode reads payload.event.type before Bolt sees the envelope.
    ["an events_api envelope whose event is null", "events_api", { ...eventEnvelope({}), event: null }],
    ["an events_api envelope without an event", "events_api", { ...eventEnvelope({}), event: undefined }],
    ["an events_api envelope whose payload is null", "events_api", null],
    ["an event whose type is a number", "events_api", eventEnvelope({ type: 5, user: HUGE })],
    [
      "a mention whose user is null",
      "events_api",
      eventEnvelope({ type: "app_mention", user: null, text: HUGE }),
    ],
    ["an interactive payload that is null", "interactive", null],
    ["a click without a user", "interactive", click({ user: undefined, trigger_id: HUGE })],
    ["a click whose actions hold a string", "interactive", click({ actions: [HUGE] })],
    ["a click whose first action is null", "interactive", click({ actions: [null, { action_id: HUGE }] })],
    ["a click whose actions is a string", "interactive", click({ actions: HUGE })],
    [
      "a click whose action_id is a number",
      "interactive",
      click({ actions: [{ type: "button", action_id: 5 }] }),
    ],
    [
      "a slash command whose user_id and channel_id are not ids",
      "slash_commands",
      slashCommand({ user: "~uowner", channel: HUGE, responseUrl: "~not a url" }),
    ],
  ])("%s: acknowledged, no crash, nothing of it logged, no ERROR", async (_, type, payload) => {
    const socket = fake.socketMode;
    if (!socket) throw new Error("the fake has no Socket Mode side");
    const logged = lines.length;
    const crashed = crashes.length;
    const acked = await socket.send(type, payload, 2000).then(
      () => true,
      () => false,
    );
    await slack.inflight.drain(2000);
    // A rejection is reported a tick after it happens; app.error writes a few microtasks after the drain.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(crashes.slice(crashed).map(String)).toEqual([]);
    expect(acked).toBe(true);
    const since = lines.slice(logged);
    expect(since.filter((l) => l.includes("~")).map((l) => l.slice(0, 200))).toEqual([]);
    // A response_url the app will not post to is a failed Slack call (an ERROR), the only one here.
    const errors = since.filter(
      (l) => / ERROR /.test(l) && !/slack call failed: respond\(unreadable\)/.test(l),
    );
    expect(errors.map((l) => l.slice(0, 200))).toEqual([]);
  });

  it("random damage to real clicks, events and commands: every envelope a listener can take is acknowledged (the rest left as Bolt leaves them), no crash, none of it logged, no ERROR", async () => {
    const socket = fake.socketMode;
    if (!socket) throw new Error("the fake has no Socket Mode side");
    // Every hostile string starts with "~", so a log line holding one is found.
    const hostile = fc.oneof(
      clientText({ maxLength: 40 }).map((t) => `~${t}`),
      clientText({ minLength: 1, maxLength: 3 }).map((t) => `~${t.repeat(5_000)}`),
      fc.integer(),
      fc.constantFrom(null, true, false, [], {}, ["~"], { id: "~" }),
    );
    const damaged = (base: Record<string, unknown>, fields: readonly string[]) =>
      fc
        .tuple(
          fc.dictionary(fc.constantFrom(...fields), hostile, { minKeys: 1, maxKeys: 3 }),
          fc.subarray([...fields], { maxLength: 2 }),
        )
        .map(([replaced, dropped]) => {
          const out: Record<string, unknown> = { ...base, ...replaced };
          for (const f of dropped) delete out[f];
          return out;
        });
    const responseUrl = fake.responseUrl({ channel: CHANNEL, user: OWNER });
    const envelope = fc.oneof(
      damaged(click({ response_url: responseUrl }), [
        "user",
        "team",
        "channel",
        "container",
        "actions",
        "response_url",
        "message",
        "trigger_id",
        "api_app_id",
      ]).map((p) => ({ type: "interactive" as const, payload: p })),
      fc
        .tuple(
          fc.constantFrom(
            appMention({ user: OWNER, channel: CHANNEL, text: "<@UBOT0FAKE> hi" }),
            directMessage({ user: OWNER, channel: "D0OWNER1", text: "hi" }),
          ),
          fc.nat(),
        )
        .chain(([event]) =>
          damaged(event, ["user", "channel", "text", "ts", "channel_type", "thread_ts", "bot_id", "subtype"]),
        )
        .map((event) => ({ type: "events_api" as const, payload: eventEnvelope(event) })),
      damaged(slashCommand({ user: OWNER, channel: CHANNEL, responseUrl }), [
        "user_id",
        "channel_id",
        "text",
        "response_url",
        "team_id",
        "trigger_id",
      ]).map((p) => ({ type: "slash_commands" as const, payload: p })),
    );
    // As over HTTP (test/hostile/clicks): a click with no action, or whose first action is an
    // object, names nothing a listener matches; Bolt leaves it unacknowledged (HTTP: 404 after 3 s).
    const namesNothing = (type: string, payload: Record<string, unknown>) => {
      if (type !== "interactive") return false;
      // Without actions Bolt cannot tell what the payload is, and stops before reading anything else.
      if (payload.actions === undefined) return true;
      // Bolt's routing would throw on these next; the app refuses them (HTTP 400) and so acknowledges them.
      if (payload.user === undefined || payload.user === null || payload.channel === null) return false;
      const actions = payload.actions;
      if (!Array.isArray(actions)) return false;
      const first: unknown = actions[0];
      return actions.length === 0 || (typeof first === "object" && first !== null && !("action_id" in first));
    };
    let sent = 0;
    let unacknowledged = 0;
    const real = click({ response_url: responseUrl });
    await fc.assert(
      fc.asyncProperty(envelope, async ({ type, payload }) => {
        sent++;
        const logged = lines.length;
        const crashed = crashes.length;
        const left = namesNothing(type, payload);
        if (left) unacknowledged++;
        const acked = await socket.send(type, payload, left ? 300 : 2000).then(
          () => true,
          () => false,
        );
        await slack.inflight.drain(2000);
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect(crashes.slice(crashed).map(String)).toEqual([]);
        expect(acked).toBe(!left);
        const since = lines.slice(logged);
        expect(since.filter((l) => l.includes("~")).map((l) => l.slice(0, 200))).toEqual([]);
        // Failed Slack calls are logged as ERROR (a damaged response_url or channel); nothing else is.
        const errors = since.filter((l) => / ERROR /.test(l) && !/slack call failed: /.test(l));
        expect(errors.map((l) => l.slice(0, 200))).toEqual([]);
      }),
      {
        numRuns: runs(150),
        // Where the order of Bolt's checks decides; random runs combine them seldom.
        examples: [
          [{ type: "interactive", payload: { ...real, user: undefined, actions: undefined } }],
          [{ type: "interactive", payload: { ...real, user: null, actions: [] } }],
        ],
      },
    );
    expect(sent).toBe(runs(150));
    // Both kinds were tried, and most envelopes were ones a listener takes.
    expect(unacknowledged).toBeGreaterThan(0);
    expect(unacknowledged).toBeLessThan(sent / 3);
  });

  it("an interactive payload that names nothing (a number) is left unacknowledged, as Bolt leaves it (HTTP: 404 after 3 s); no crash, nothing logged", async () => {
    const socket = fake.socketMode;
    if (!socket) throw new Error("the fake has no Socket Mode side");
    const logged = lines.length;
    const crashed = crashes.length;
    const acked = await socket.send("interactive", 42, 500).then(
      () => true,
      () => false,
    );
    expect(acked).toBe(false);
    expect(crashes.slice(crashed).map(String)).toEqual([]);
    expect(lines.slice(logged).filter((l) => / ERROR /.test(l))).toEqual([]);
  });

  it("a slash command whose user_id is not an id: the person at its response_url hears why", async () => {
    const socket = fake.socketMode;
    if (!socket) throw new Error("the fake has no Socket Mode side");
    const responseUrl = fake.responseUrl({ channel: CHANNEL, user: OWNER });
    const told = fake.nextCall((c) => c.responseUrl === responseUrl);
    await socket.send("slash_commands", slashCommand({ user: "~uowner", channel: CHANNEL, responseUrl }));
    expect((await told).args).toMatchObject({
      response_type: "ephemeral",
      text: UI.ja.commandUnreadable("/ssl-move"),
    });
  });

  it("still runs a consultation afterwards", async () => {
    const socket = fake.socketMode;
    if (!socket) throw new Error("the fake has no Socket Mode side");
    const responseUrl = fake.responseUrl({ channel: CHANNEL, user: OWNER });
    const drawn = fake.nextCall((c) => c.responseUrl === responseUrl);
    await socket.send("slash_commands", slashCommand({ user: OWNER, channel: CHANNEL, responseUrl }));
    expect((await drawn).ok).toBe(true);
  });
});
