import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UI } from "../../src/slack/i18n.ts";
import { eventEnvelope, slashCommand } from "../support/payloads.ts";
import { runs } from "../support/propertyRuns.ts";
import {
  CHANNEL,
  clientText,
  eventsOf,
  expectHealthy,
  expectRecordsFlowing,
  FORM,
  formPayload,
  freshClick,
  type Hostile,
  JSON_TYPE,
  OWNER,
  SLACK_ID,
  sendRaw,
  startHostile,
} from "./support.ts";

/** Slash commands and Events API envelopes with random, wrongly typed, repeated or huge fields. */

const anyText = fc.oneof(
  clientText({ maxLength: 60 }),
  clientText({ minLength: 1, maxLength: 4 }).map((s) => s.repeat(25_000)),
  fc.constantFrom("", "en", "help", "stats", "start ja", "<@U1> en", "統計", "？"),
);

const EVENT_FIELDS = [
  "user",
  "channel",
  "text",
  "channel_type",
  "tab",
  "thread_ts",
  "subtype",
  "bot_id",
  "ts",
] as const;
type EventType = "app_mention" | "message" | "app_home_opened";
/** An event of each type the app answers, for runs that damage only a field or two of it. */
const REAL: Record<EventType, Record<string, unknown>> = {
  app_mention: { user: OWNER, channel: CHANNEL, text: "<@UBOT0FAKE> hi", ts: "1.1" },
  message: { channel_type: "im", user: OWNER, channel: "DOWNER1", text: "hi", ts: "1.1" },
  app_home_opened: { user: OWNER, tab: "home" },
};
/** The calls that answer an event. */
const ANSWERS = ["chat.postEphemeral", "chat.postMessage", "views.publish"];
const isId = (v: unknown): v is string => typeof v === "string" && SLACK_ID.test(v);

/** The one call that answers the event, or none: the app's rules, written out. */
function answerTo(type: EventType, f: Record<string, unknown>) {
  if (type === "app_mention" && isId(f.user) && isId(f.channel))
    return { method: "chat.postEphemeral", args: { user: f.user, channel: f.channel } };
  // Edits, joins and bot messages are not someone talking to the app.
  if (type === "message" && f.channel_type === "im" && f.subtype === undefined && !f.bot_id)
    if (isId(f.user) && isId(f.channel)) return { method: "chat.postMessage", args: { channel: f.channel } };
  if (type === "app_home_opened" && f.tab === "home" && isId(f.user))
    return { method: "views.publish", args: { user_id: f.user } };
  return undefined;
}

/** What a slash command whose user id cannot be read gets, in either language. */
const UNREADABLE = [UI.ja.commandUnreadable("/ssl-move"), UI.en.commandUnreadable("/ssl-move")];

/** What a person sees: no stack trace, no "undefined", no object dumped as text. */
function expectFriendlyText(text: string): void {
  expect(text).not.toMatch(/\bat \S+ \(|TypeError|ReferenceError|Error:|undefined|\[object/);
}

describe("hostile slash commands and events", () => {
  let hostile: Hostile;
  beforeAll(async () => {
    hostile = await startHostile();
  });
  afterAll(async () => {
    await hostile.close();
  });

  it("a slash command with random, missing or repeated fields is acknowledged 200 at once; whoever waits at a real response_url hears back (a screen, or why not), or in the channel when it is refused", async () => {
    const { h } = hostile;
    const fieldNames = [
      "user_id",
      "channel_id",
      "team_id",
      "text",
      "response_url",
      "trigger_id",
      "user_name",
    ] as const;
    const command = fc.record({
      user: fc.oneof(fc.constant(OWNER), anyText),
      text: anyText,
      replaced: fc.dictionary(fc.constantFrom(...fieldNames), anyText, { maxKeys: 3 }),
      dropped: fc.subarray([...fieldNames]),
      repeated: fc.subarray([...fieldNames], { maxLength: 2 }),
      realResponseUrl: fc.boolean(),
    });
    let fellBack = 0;
    await fc.assert(
      fc.asyncProperty(command, async (c) => {
        const responseUrl = h.fake.responseUrl({ channel: CHANNEL, user: c.user });
        const fields: Record<string, string> = {
          ...slashCommand({ user: c.user, channel: CHANNEL, text: c.text, responseUrl }),
        };
        if (!c.realResponseUrl) fields.response_url = c.replaced.response_url ?? "not a url";
        for (const [k, v] of Object.entries(c.replaced)) if (k !== "response_url") fields[k] = v;
        for (const k of c.dropped) delete fields[k];
        const params = new URLSearchParams(fields);
        // A repeated field reaches the listener as an array.
        for (const k of c.repeated) params.append(k, "again");
        const mark = h.fake.mark();
        const logged = h.logs.length;
        const res = await sendRaw(h, params.toString(), FORM);
        await h.idle();
        expect(res.status).toBe(200);
        expect(res.ms).toBeLessThan(1000);
        // Whoever waits at a real response_url hears back: a screen, or why there is none.
        const reachable =
          c.realResponseUrl && !c.dropped.includes("response_url") && !c.repeated.includes("response_url");
        const ephemerals = h.fake.calls.filter(
          (call) => call.seq > mark && call.method === "chat.postEphemeral",
        );
        if (reachable) {
          expect(ephemerals).toEqual([]);
          const answers = h.fake.calls.filter((call) => call.seq > mark && call.responseUrl === responseUrl);
          expect(answers).toHaveLength(1);
          expect(answers[0]?.ok).toBe(true);
          expect(answers[0]?.args.response_type).toBe("ephemeral");
          expectFriendlyText(JSON.stringify(answers[0]?.args));
          // Without a user id nobody can own the buttons (a repeated field arrives as a list).
          const readableUser = SLACK_ID.test(fields.user_id ?? "") && !c.repeated.includes("user_id");
          if (!readableUser) {
            expect(UNREADABLE).toContain(answers[0]?.args.text);
            expect(h.logs.slice(logged).some((l) => / WARN .*without a readable user_id/.test(l))).toBe(true);
          }
        } else {
          // The response_url is gone or refused: a person the app can name hears back in the channel.
          const readable = (f: "user_id" | "channel_id") =>
            SLACK_ID.test(fields[f] ?? "") && !c.repeated.includes(f);
          if (readable("user_id") && readable("channel_id")) {
            fellBack++;
            expect(ephemerals).toHaveLength(1);
            expect(ephemerals[0]?.args).toMatchObject({ user: fields.user_id, channel: fields.channel_id });
            expectFriendlyText(JSON.stringify(ephemerals[0]?.args));
          } else expect(ephemerals).toEqual([]);
        }
        await hostile.records.settle();
        await expectRecordsFlowing(hostile);
        expect(hostile.crashes).toEqual([]);
      }),
      {
        numRuns: runs(60),
        // Random runs seldom leave both ids readable with the URL gone: these make sure they happen.
        examples: [
          [{ user: OWNER, text: "", replaced: {}, dropped: [], repeated: [], realResponseUrl: false }],
          [
            {
              user: OWNER,
              text: "en",
              replaced: {},
              dropped: ["response_url"],
              repeated: [],
              realResponseUrl: true,
            },
          ],
        ],
      },
    );
    expect(fellBack).toBeGreaterThanOrEqual(2);
    await expectHealthy(hostile);
  });

  it("a real user's command with one other field damaged (or a random text) still gets exactly one screen where they wait", async () => {
    const { h } = hostile;
    const damage = fc.record({
      // Not `command`: Bolt routes by it, and one that is not ours gets Bolt's 404 (test/hostile/bodies).
      field: fc.constantFrom("channel_id", "team_id", "trigger_id", "user_name", "text", "api_app_id"),
      how: fc.oneof(
        fc.constant<"drop">("drop"),
        fc.constant<"repeat">("repeat"),
        anyText.map((value) => ({ value })),
      ),
    });
    let screensSeen = 0;
    await fc.assert(
      fc.asyncProperty(damage, async (d) => {
        const responseUrl = h.fake.responseUrl({ channel: CHANNEL, user: OWNER });
        const fields: Record<string, string> = {
          ...slashCommand({ user: OWNER, channel: CHANNEL, text: "", responseUrl }),
        };
        if (d.how === "drop") delete fields[d.field];
        else if (d.how !== "repeat") fields[d.field] = d.how.value;
        const params = new URLSearchParams(fields);
        if (d.how === "repeat") params.append(d.field, "again");
        const mark = h.fake.mark();
        const res = await sendRaw(h, params.toString(), FORM);
        await h.idle();
        expect(res.status).toBe(200);
        const screens = h.fake.calls.filter((call) => call.seq > mark && call.responseUrl === responseUrl);
        expect(screens).toHaveLength(1);
        expect(screens[0]?.ok).toBe(true);
        expectFriendlyText(JSON.stringify(screens[0]?.args));
        screensSeen++;
      }),
      { numRuns: runs(40) },
    );
    expect(screensSeen).toBe(runs(40));
    await hostile.records.settle();
    await expectRecordsFlowing(hostile);
    await expectHealthy(hostile);
  });

  it("an event envelope with random event fields is acknowledged 200 at once, answered exactly when it can be, never breaks the records or logs an ERROR", async () => {
    const { h } = hostile;
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(OWNER, CHANNEL, "DOWNER1", "im", "home"),
      clientText({ minLength: 1, maxLength: 3 }).map((s) => s.repeat(30_000)),
    );
    const field = fc.constantFrom(...EVENT_FIELDS);
    const event = fc.record({
      type: fc.constantFrom("app_mention", "message", "app_home_opened"),
      damage: fc.oneof(
        // Any fields at all.
        fc.record({
          real: fc.constant(false),
          replaced: fc.dictionary(field, value, { maxKeys: 6 }),
          dropped: fc.constant<string[]>([]),
        }),
        // A real event of the type with a field or two replaced or dropped: random fields alone
        // almost never make an event the app answers (no DM at all in 200 × 80 runs).
        fc.record({
          real: fc.constant(true),
          replaced: fc.dictionary(field, value, { maxKeys: 2 }),
          dropped: fc.subarray<string>([...EVENT_FIELDS], { maxLength: 2 }),
        }),
      ),
      teamId: fc.oneof(fc.constant("T0FAKE"), value),
      eventId: fc.oneof(clientText({ maxLength: 20 }), value),
    });
    let answered = 0;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(event, async (e) => {
        const fields: Record<string, unknown> = {
          ...(e.damage.real ? REAL[e.type] : {}),
          ...e.damage.replaced,
        };
        for (const k of e.damage.dropped) delete fields[k];
        // Unique per run (and per shrink): the app rightly ignores an event id it has seen, which
        // would leave every later run with that id unjudged. Non-string and empty ids stay as drawn.
        const eventId = typeof e.eventId === "string" && e.eventId ? `${e.eventId}-${++run}` : e.eventId;
        const envelope = {
          ...eventEnvelope({ type: e.type, ...fields }),
          team_id: e.teamId,
          event_id: eventId,
        };
        const mark = h.fake.mark();
        const logged = h.logs.length;
        const res = await sendRaw(h, JSON.stringify(envelope), JSON_TYPE);
        await h.idle();
        // Bolt 5.1 itself (its lookups `'creator' in event.channel`, `'id' in event.user`, …) can throw
        // before any listener runs when the channel or the user is a non-string scalar (whether it does
        // depends on the other fields): a malformed request, 400, allowed only there. Never a 500.
        const scalar = (v: unknown) => v === null || ["number", "boolean"].includes(typeof v);
        const boltMayThrow = (["channel", "user"] as const).some((k) => k in fields && scalar(fields[k]));
        expect(boltMayThrow ? [200, 400] : [200]).toContain(res.status);
        expect(res.ms).toBeLessThan(1000);
        const answers = h.fake.calls.filter((c) => c.seq > mark && ANSWERS.includes(c.method));
        const expected = res.status === 200 ? answerTo(e.type, fields) : undefined;
        if (expected) {
          expect(answers.map((c) => c.method)).toEqual([expected.method]);
          expect(answers[0]?.ok).toBe(true);
          expect(answers[0]?.args).toMatchObject(expected.args);
          answered++;
        } else expect(answers.map((c) => c.method)).toEqual([]);
        await hostile.records.settle();
        await expectRecordsFlowing(hostile);
        expect(hostile.crashes).toEqual([]);
        await logsSettled();
        expect(errorLines(h.logs.slice(logged))).toEqual([]);
      }),
      { numRuns: runs(80) },
    );
    // The generator keeps reaching the answers it judges (about 24 in 80 runs: 9 mentions, 6 DMs, 9 tabs).
    expect(answered).toBeGreaterThan(0);
    await expectHealthy(hostile);
  });
  it("a mention whose user or channel is of the wrong type starts nothing and records nothing; a wrong team_id is 'unknown'", async () => {
    const { h } = hostile;
    const started = () => hostile.records.events().filter((e) => e.kind === "started");
    for (const teamId of [[], {}, 42, null, true]) {
      const before = started().length;
      const mention = { type: "app_mention", user: OWNER, channel: CHANNEL, text: "<@UBOT0FAKE>", ts: "1.2" };
      const res = await sendRaw(h, JSON.stringify({ ...eventEnvelope(mention), team_id: teamId }), JSON_TYPE);
      expect(res.status).toBe(200);
      await h.idle();
      await hostile.records.settle();
      // The person is answered, and the start recorded with strings only.
      expect(started().length, JSON.stringify(teamId)).toBe(before + 1);
      expect(started().at(-1)?.workspace).toBe("unknown");
      await expectRecordsFlowing(hostile);
    }
    // Found by the property above (seed 571560648): a user id in a list reached the records.
    for (const wrong of [{ user: 42 }, { user: ["U1"] }, { user: { id: "U1" } }, { channel: ["C1"] }]) {
      const before = started().length;
      const mention = {
        type: "app_mention",
        user: OWNER,
        channel: CHANNEL,
        text: "<@UBOT0FAKE>",
        ts: "1.3",
        ...wrong,
      };
      expect([200, 400]).toContain(
        (await sendRaw(h, JSON.stringify(eventEnvelope(mention)), JSON_TYPE)).status,
      );
      await h.idle();
      await hostile.records.settle();
      expect(started().length, JSON.stringify(wrong)).toBe(before);
      await expectRecordsFlowing(hostile);
    }
    expect(hostile.crashes).toEqual([]);
  });

  // Found by the property above (seed 1697807571): Bolt looked the team id up in a plain object,
  // so one named like a member of Object.prototype found that member, threw, and got 400.
  it.each(["valueOf", "constructor", "__proto__", "hasOwnProperty"])(
    "a command, a mention and a click whose team id is %s are answered like any other",
    async (teamId) => {
      const { h } = hostile;
      const responseUrl = h.fake.responseUrl({ channel: CHANNEL, user: OWNER });
      const command = new URLSearchParams({
        ...slashCommand({ user: OWNER, channel: CHANNEL, text: "", responseUrl }),
        team_id: teamId,
      });
      let mark = h.fake.mark();
      expect((await sendRaw(h, command.toString(), FORM)).status).toBe(200);
      await h.idle();
      expect(h.fake.calls.filter((c) => c.seq > mark && c.responseUrl === responseUrl && c.ok)).toHaveLength(
        1,
      );

      const mention = { type: "app_mention", user: OWNER, channel: CHANNEL, text: "<@UBOT0FAKE>", ts: "1.4" };
      mark = h.fake.mark();
      const envelope = { ...eventEnvelope(mention), team_id: teamId, authorizations: [{ team_id: teamId }] };
      expect((await sendRaw(h, JSON.stringify(envelope), JSON_TYPE)).status).toBe(200);
      await h.idle();
      expect(
        h.fake.calls.filter((c) => c.seq > mark && c.method === "chat.postEphemeral" && c.ok),
      ).toHaveLength(1);

      const click = await freshClick(h);
      click.payload.team = { id: teamId, domain: "x" };
      mark = h.fake.mark();
      expect((await sendRaw(h, formPayload(JSON.stringify(click.payload)), FORM)).status).toBe(200);
      await h.idle();
      expect(
        h.fake.calls.filter((c) => c.seq > mark && c.responseUrl === click.responseUrl && c.ok),
      ).toHaveLength(1);
      const answered = (await eventsOf(hostile, click.id)).filter((e) => e.kind === "answered");
      // Recorded once, and never under the forged team id.
      expect(answered).toHaveLength(1);
      expect(answered[0]?.workspace).not.toBe(teamId);
      expect(hostile.crashes).toEqual([]);
    },
  );

  it.each<[string, (f: URLSearchParams) => void]>([
    ["in lower case", (f) => f.set("user_id", "uowner1")],
    ["41 characters long", (f) => f.set("user_id", `U${"A".repeat(40)}`)],
    ["missing", (f) => f.delete("user_id")],
    ["repeated (a list)", (f) => f.append("user_id", "UOTHER2")],
  ])(
    "a slash command whose user_id is %s: an ephemeral notice where the person waits, a WARN, no ERROR",
    async (_, breakIt) => {
      const { h } = hostile;
      const responseUrl = h.fake.responseUrl({ channel: CHANNEL, user: OWNER });
      const fields = new URLSearchParams(slashCommand({ user: OWNER, channel: CHANNEL, responseUrl }));
      breakIt(fields);
      const mark = h.fake.mark();
      const logged = h.logs.length;
      const res = await sendRaw(h, fields.toString(), FORM);
      await h.idle();
      await logsSettled();
      expect(res.status).toBe(200);
      const posts = h.fake.calls.filter((c) => c.seq > mark && c.responseUrl === responseUrl);
      expect(posts).toHaveLength(1);
      expect(posts[0]?.args).toMatchObject({
        response_type: "ephemeral",
        text: UI.ja.commandUnreadable("/ssl-move"),
      });
      const lines = h.logs.slice(logged);
      expect(lines.some((l) => / WARN .*slash command without a readable user_id/.test(l))).toBe(true);
      expect(errorLines(lines)).toEqual([]);
    },
  );

  it.each<[string, Record<string, unknown>, string | undefined]>([
    ["a mention from a user id in lower case", eventEnvelope({ ...MENTION, user: "uowner1" }), undefined],
    [
      "a mention in a channel that is 100 KB of text",
      eventEnvelope({ ...MENTION, channel: `C${"X".repeat(100_000)}x` }),
      undefined,
    ],
    ["a DM from a user id in lower case", eventEnvelope({ ...DM, user: "uowner1" }), undefined],
    [
      "App Home opened by a user id in lower case",
      eventEnvelope({ type: "app_home_opened", user: "uowner1", tab: "home" }),
      undefined,
    ],
    ["App Home opened without a user", eventEnvelope({ type: "app_home_opened", tab: "home" }), undefined],
    ["an event whose type is a number", eventEnvelope({ ...MENTION, type: 5 }), undefined],
    [
      "a mention whose event_id cannot become a string",
      { ...eventEnvelope(MENTION), event_id: { toString: 1 } },
      "chat.postEphemeral",
    ],
  ])("%s: acknowledged, answered only if it can be, no ERROR", async (_, envelope, answer) => {
    const { h } = hostile;
    const mark = h.fake.mark();
    const logged = h.logs.length;
    const res = await sendRaw(h, JSON.stringify(envelope), JSON_TYPE);
    await h.idle();
    await logsSettled();
    expect(res.status).toBe(200);
    const answers = h.fake.calls.filter((c) => c.seq > mark && ANSWERS.includes(c.method));
    expect(answers.map((c) => c.method)).toEqual(answer ? [answer] : []);
    await hostile.records.settle();
    await expectRecordsFlowing(hostile);
    expect(errorLines(h.logs.slice(logged))).toEqual([]);
  });

  it("two different mentions whose event_id is not a string are both answered (not one redelivery)", async () => {
    const { h } = hostile;
    const mark = h.fake.mark();
    for (const ts of ["2.1", "2.2"]) {
      const mention = { ...MENTION, text: `<@UBOT0FAKE> hi ${ts}`, ts };
      const res = await sendRaw(h, JSON.stringify({ ...eventEnvelope(mention), event_id: {} }), JSON_TYPE);
      expect(res.status).toBe(200);
      await h.idle();
    }
    const answers = h.fake.calls.filter((c) => c.seq > mark && c.method === "chat.postEphemeral");
    expect(answers).toHaveLength(2);
  });
});

/** app.error writes a listener's failure a few microtasks after h.idle() resolves. */
const logsSettled = () => new Promise((resolve) => setTimeout(resolve, 50));
const errorLines = (lines: string[]) => lines.filter((l) => / ERROR /.test(l)).map((l) => l.slice(25, 200));
const MENTION = { type: "app_mention", ...REAL.app_mention };
const DM = { type: "message", ...REAL.message };
