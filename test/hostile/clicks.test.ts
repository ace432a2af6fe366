import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/slack/fakeSlack/index.ts";
import { renderAlreadyTaken } from "../../src/slack/render/staff.ts";
import { parseActionId } from "../../src/slack/state/actionIds.ts";
import { eventEnvelope, TEAM } from "../support/payloads.ts";
import { runs } from "../support/propertyRuns.ts";
import {
  CHANNEL,
  clientText,
  eventsOf,
  expectFriendlyNotice,
  expectHealthy,
  expectRecordsFlowing,
  FORM,
  formPayload,
  freshClick,
  type Hostile,
  JSON_TYPE,
  OWNER,
  questionOf,
  sendRaw,
  startHostile,
  UNACKED_MS,
} from "./support.ts";

/**
 * A real click payload (from a real rendered message) with one field removed
 * or replaced by a value of the wrong type or a huge one.
 */

const FIELDS = [
  "user",
  "user.id",
  "user.team_id",
  "actions",
  "actions.0.action_id",
  "actions.0.value",
  "actions.0.type",
  "actions.0.block_id",
  "container",
  "container.is_ephemeral",
  "container.message_ts",
  "container.type",
  "response_url",
  "channel",
  "channel.id",
  "team",
  "team.id",
  "message",
  "type",
  "trigger_id",
  "api_app_id",
  "state",
  "enterprise",
  "token",
  "is_enterprise_install",
] as const;
type Field = (typeof FIELDS)[number];
type Kind = "absent" | "null" | "number" | "string" | "boolean" | "array" | "object" | "huge";

const HUGE = 100_000;
const replacement = fc.oneof(
  fc.constant({ kind: "absent" as Kind, value: undefined as unknown }),
  fc.constant({ kind: "null" as Kind, value: null }),
  fc.integer().map((value) => ({ kind: "number" as Kind, value })),
  // Not a Slack id (lower case or punctuation in it), so never the owner's.
  clientText({ minLength: 1, maxLength: 30 }).map((s) => ({ kind: "string" as Kind, value: `~${s}` })),
  fc.boolean().map((value) => ({ kind: "boolean" as Kind, value })),
  fc
    .array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 })
    .map((value) => ({ kind: "array" as Kind, value })),
  fc.dictionary(clientText({ maxLength: 5 }), clientText({ maxLength: 5 }), { maxKeys: 3 }).map((value) => ({
    kind: "object" as Kind,
    value,
  })),
  clientText({ minLength: 1, maxLength: 8 }).map((s) => ({
    kind: "huge" as Kind,
    value: `~${s.repeat(HUGE / s.length + 1)}`,
  })),
);

/**
 * The status, measured: 400 where Bolt's own routing cannot read a field it
 * needs (before any listener runs; Bolt alone would answer 500, or throw in
 * its matching and answer 404 after 3 s: see src/slack/receiver.ts and
 * refuseUnroutable in src/slack/app.ts), 404 after 3 s where no listener can
 * match (Bolt's answer to an event nobody acknowledged), 200 (our listener's
 * ack) otherwise.
 */
function expectedStatus(field: Field, kind: Kind, value: unknown): 200 | 400 | 404 {
  if (field === "user" && (kind === "absent" || kind === "null")) return 400; // body.user.id
  if (field === "channel" && kind === "null") return 400; // body.channel.id
  if (field === "actions") {
    if (kind === "absent") return 404; // no action to match
    // Bolt matches by actions[0]: none, or an object without action_id, matches nothing.
    if (Array.isArray(value)) return value.length === 0 || isObject(value[0]) ? 404 : 400;
    return 400; // null, a number, a string, a boolean, an object
  }
  // Without an action_id, or with one that is not ours, no listener matches.
  if (field === "actions.0.action_id") return ["absent", "string", "huge"].includes(kind) ? 404 : 400;
  return 200;
}
const isObject = (v: unknown) => typeof v === "object" && v !== null;

/**
 * What the app must do with the click once Bolt has acknowledged it:
 * - advance: it still is the owner's click on the real button: redraw and record it;
 * - undeliverable: still a valid click, but the redraw cannot reach Slack (the response_url is
 *   garbage, or the payload says the ephemeral message is not ephemeral, so chat.update fails):
 *   the click is recorded (a retry of it gets the same event id), the message stays, and the
 *   user hears of the failure where the real response_url still reaches them;
 * - refused: not the owner's or not readable: a notice, nothing recorded;
 * - ignored: not a button click (type or action type changed): acknowledged, nothing else.
 */
type Outcome = "advance" | "undeliverable" | "refused" | "ignored";
function outcomeOf(field: Field, value: unknown): Outcome {
  if (field === "user" || field === "user.id" || field === "actions.0.value") return "refused";
  if (field === "type" || field === "actions.0.type") return "ignored";
  if (field === "response_url") return "undeliverable";
  if (field === "container.is_ephemeral" && value !== true) return "undeliverable";
  return "advance";
}

/** One representative of each kind of damage; booleans, lists and objects both empty and not. */
const KINDS: Array<{ kind: Kind; value: unknown }> = [
  { kind: "absent", value: undefined },
  { kind: "null", value: null },
  { kind: "number", value: -1 },
  { kind: "string", value: "~not an id" },
  { kind: "boolean", value: true },
  { kind: "boolean", value: false },
  { kind: "array", value: [] },
  { kind: "array", value: [1, "~x", { a: null }] },
  { kind: "object", value: {} },
  { kind: "object", value: { "~k": "~v" } },
  { kind: "huge", value: `~${"ab".repeat(HUGE / 2)}` },
];
const BATCH = 40;

function mutate(payload: Record<string, unknown>, field: Field, kind: Kind, value: unknown) {
  const parts = field.split(".");
  let target = payload as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) target = target[p] as Record<string, unknown>;
  const last = parts.at(-1) as string;
  if (kind === "absent") delete target[last];
  else target[last] = value;
}

describe("hostile click payloads", () => {
  let hostile: Hostile;
  beforeAll(async () => {
    hostile = await startHostile();
  });
  afterAll(async () => {
    await hostile.close();
  });

  it("a click or an event Bolt cannot route (no user, actions not a list, a null user, a numeric channel) is a 400, logged without its values, and nothing happens", async () => {
    const { h } = hostile;
    const huge = `~${"x".repeat(HUGE)}`;
    const broken: Array<(p: Record<string, unknown>) => void> = [
      (p) => delete p.user,
      (p) => (p.user = null),
      (p) => (p.channel = null),
      (p) => (p.actions = { huge }),
    ];
    for (const breakIt of broken) {
      const { message, payload, id } = await freshClick(h);
      breakIt(payload);
      const logged = h.logs.length;
      const res = await sendRaw(h, formPayload(JSON.stringify(payload)), FORM);
      await h.idle();
      expect(res.status).toBe(400);
      expect(h.fake.message(message.channel, message.ts)?.updates).toBe(0);
      expect((await eventsOf(hostile, id)).map((e) => e.kind)).toEqual(["started"]);
      const lines = h.logs.slice(logged);
      expect(
        lines.some(
          (l) =>
            l.includes("WARN") &&
            l.includes("Malformed request body: a field Bolt routes by is missing or of the wrong type"),
        ),
      ).toBe(true);
      expect(lines.join("\n")).not.toContain("xxxxxxxxxx");
    }
    // Bolt reads `event.user.id` when user is null, and `'creator' in event.channel` when channel is a number.
    for (const fields of [{ user: null }, { channel: 42 }]) {
      const event = eventEnvelope({ type: "app_mention", text: "hi", channel: CHANNEL, ...fields });
      const logged = h.logs.length;
      const res = await sendRaw(h, JSON.stringify(event), JSON_TYPE);
      await h.idle();
      expect(res.status).toBe(400);
      expect(h.logs.slice(logged).some((l) => l.includes("Malformed request body"))).toBe(true);
    }
    expect(hostile.crashes).toEqual([]);
    await expectHealthy(hostile);
  });

  it.each<[string, unknown]>([
    ["an object", { id: "H1" }],
    ["a list", ["H1"]],
  ])(
    "'Take it' whose value is %s: the not-found notice (not 'the database cannot be reached'), no ERROR",
    async (_, value) => {
      const { h } = hostile;
      const { payload, responseUrl } = await freshClick(h);
      Object.assign(payload.actions[0] as Record<string, unknown>, { action_id: "handoff:take", value });
      const mark = h.fake.mark();
      const logged = h.logs.length;
      const res = await sendRaw(h, formPayload(JSON.stringify(payload)), FORM);
      await h.idle();
      // app.error writes a listener's failure a few microtasks after h.idle() resolves.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(res.status).toBe(200);
      const posts = h.fake.calls.filter((c) => c.seq > mark && c.responseUrl === responseUrl);
      expect(posts.map((p) => p.args.text)).toEqual([renderAlreadyTaken(null).text]);
      expect(h.logs.slice(logged).filter((l) => / ERROR /.test(l))).toEqual([]);
    },
  );

  /** Every hostile string value starts with "~", which no line the app writes itself contains. */
  const MARK = "~";

  /** Sends one mutated click and remembers what is needed to judge it once the app is idle. */
  const sendMutated = async (h: Hostile["h"], field: Field, r: { kind: Kind; value: unknown }) => {
    const { message, payload, id, responseUrl } = await freshClick(h);
    mutate(payload, field, r.kind, r.value);
    const mark = h.fake.mark();
    const res = await sendRaw(h, formPayload(JSON.stringify(payload)), FORM);
    return { field, r, message, id, responseUrl, mark, res };
  };

  /**
   * The exact status, and what the app did with the click: advanced, noticed, recorded or not;
   * and what it logged since `logged`: no hostile value, no ERROR but a Slack call that failed.
   */
  const expectJudged = async (sent: Array<Awaited<ReturnType<typeof sendMutated>>>, logged: number) => {
    const { h } = hostile;
    let unusableUrls = 0;
    let undeliverable = 0;
    let unmatched = 0;
    for (const { field, r, message, id, responseUrl, mark, res } of sent) {
      const label = `${field} ← ${r.kind} ${JSON.stringify(r.value)?.slice(0, 40)}`;
      const status = expectedStatus(field, r.kind, r.value);
      expect(res.status, label).toBe(status);
      if (status === 404) {
        expect(res.ms).toBeGreaterThanOrEqual(UNACKED_MS - 50);
        unmatched++;
      }
      const after = h.fake.message(message.channel, message.ts) as FakeMessage;
      const kinds = (await eventsOf(hostile, id)).map((e) => e.kind);
      const posts = h.fake.calls.filter((c) => c.seq > mark && c.responseUrl === responseUrl);
      const outcome = status === 200 ? outcomeOf(field, r.value) : "ignored";
      if (outcome === "advance") {
        expect(after.updates, label).toBe(1);
        expect(questionOf(after)).toBe("current_server");
      } else expect(after.updates, label).toBe(0); // the consultation message is as it was
      if (outcome === "advance" || outcome === "undeliverable") {
        const events = await eventsOf(hostile, id);
        expect(kinds, label).toEqual(["started", "answered"]);
        // Exactly where it happened: one damaged field leaves the other source of each (team.id or
        // user.team_id, channel.id or container.channel_id), and nothing else is recorded as either.
        expect(events[1], label).toMatchObject({
          user: OWNER,
          question: "validity",
          option: "valid",
          workspace: TEAM.id,
          channel: CHANNEL,
        });
      } else expect(kinds, label).toEqual(["started"]); // nothing recorded for the click
      if (outcome === "undeliverable") undeliverable++;
      if (field === "response_url" && outcome === "undeliverable") unusableUrls++;
      else if (outcome === "refused" || outcome === "undeliverable") {
        // Whoever can still be reached through the real response_url hears why.
        expect(
          posts.filter((p) => p.args.replace_original !== true),
          label,
        ).toHaveLength(1);
        expectFriendlyNotice(posts.at(-1)?.args);
      }
      if (outcome === "ignored") expect(posts, label).toEqual([]);
    }
    // Without a response_url it can post to, the clicker hears why through chat.postEphemeral
    // (the only clicks here that post one; the notices do not say which click they answer).
    const since = Math.min(...sent.map((s) => s.mark));
    const fallbacks = h.fake.calls.filter((c) => c.seq > since && c.method === "chat.postEphemeral");
    expect(fallbacks, "notices through chat.postEphemeral").toHaveLength(unusableUrls);
    for (const c of fallbacks) {
      expect(c.ok).toBe(true);
      expect(c.args).toMatchObject({ user: OWNER, channel: CHANNEL });
      expectFriendlyNotice({ response_type: "ephemeral", replace_original: false, ...c.args });
    }
    // app.error writes a listener's failure a few microtasks after h.idle() resolves.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = h.logs.slice(logged);
    expect(lines.filter((l) => l.includes(MARK)).map((l) => l.slice(0, 200))).toEqual([]);
    // ERROR lines: a redraw or notice Slack refused (the app cannot tell a lying payload from an
    // outage) and Bolt's line for a request no listener matched (the 404s); never a listener's failure.
    const allowed = [
      ...(undeliverable > 0 ? ["slack call failed: "] : []),
      ...(unmatched > 0 ? ["An incoming event was not acknowledged within 3 seconds"] : []),
    ];
    const errors = lines.filter((l) => / ERROR /.test(l) && !allowed.some((a) => l.includes(a)));
    expect(errors.map((l) => l.slice(25, 200))).toEqual([]);
    await hostile.records.settle();
    await expectRecordsFlowing(hostile);
    expect(hostile.crashes).toEqual([]);
  };

  it("every field × every kind of damage (absent, null, number, string, true, false, [], list, {}, object, huge): the exact status; advance only when still valid; else a notice or nothing, never a wrong record", async () => {
    const { h } = hostile;
    const cases = FIELDS.flatMap((field) => KINDS.map((r) => ({ field, r })));
    expect(cases).toHaveLength(FIELDS.length * KINDS.length);
    // In parallel batches; the few 404s (Bolt waits 3 s) share one wait per batch.
    for (let i = 0; i < cases.length; i += BATCH) {
      const logged = h.logs.length;
      const sent = await Promise.all(
        cases.slice(i, i + BATCH).map(({ field, r }) => sendMutated(h, field, r)),
      );
      await h.idle();
      await expectJudged(sent, logged);
    }
    await expectHealthy(hostile);
  });

  it("missing, wrongly typed or huge fields, random values: the same judgement", async () => {
    const { h } = hostile;
    const mutation = fc.record({ field: fc.constantFrom(...FIELDS), r: replacement });
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 6 }), async (batch) => {
        const logged = h.logs.length;
        const sent = await Promise.all(batch.map(({ field, r }) => sendMutated(h, field, r)));
        await h.idle();
        await expectJudged(sent, logged);
      }),
      { numRuns: runs(5) },
    );
    await expectHealthy(hostile);
  });

  it("an unknown or huge action id is left to Bolt (404 after 3 s) or, if it looks like ours, answered with a notice", async () => {
    const { h } = hostile;
    const ours = /^(answer|nav|change|share|start|handoff)(:|$)/;
    const actionId = fc
      .oneof(
        clientText({ maxLength: 300 }),
        clientText({ minLength: 1, maxLength: 3 }).map((s) => s.repeat(2000)),
        // Looks like ours, but names no button on this screen (or is absurdly long).
        fc
          .tuple(
            fc.constantFrom("answer:", "nav:", "change:", "handoff:", "start:", "share:"),
            clientText({ maxLength: 40 }),
          )
          .map(([head, tail]) => head + tail),
        clientText({ minLength: 1, maxLength: 4 }).map((s) => `answer:validity:valid${s.repeat(3000)}`),
      )
      .filter((id) => {
        // Not a button this first screen really has, nor one that needs no state (start, language).
        const parsed = parseActionId(id);
        return (
          !["answer:validity:valid", "answer:validity:expired"].includes(id) &&
          !["start", "restart", "lang", "back", "take"].includes(parsed?.kind ?? "")
        );
      });
    const sendAll = (ids: string[]) =>
      Promise.all(
        ids.map(async (actionIdValue) => {
          const { message, payload, id, responseUrl } = await freshClick(h);
          (payload.actions[0] as Record<string, unknown>).action_id = actionIdValue;
          const mark = h.fake.mark();
          const res = await sendRaw(h, formPayload(JSON.stringify(payload)), FORM);
          return { actionIdValue, message, id, responseUrl, mark, res };
        }),
      );
    const expectLeftAlone = async (sent: Awaited<ReturnType<typeof sendAll>>) => {
      await h.idle();
      for (const { actionIdValue, message, id, responseUrl, mark, res } of sent) {
        const label = actionIdValue.slice(0, 60);
        const after = h.fake.message(message.channel, message.ts) as FakeMessage;
        const posts = h.fake.calls.filter((c) => c.seq > mark && c.responseUrl === responseUrl);
        expect(after.updates, label).toBe(0);
        expect((await eventsOf(hostile, id)).map((e) => e.kind)).toEqual(["started"]);
        if (!ours.test(actionIdValue)) {
          expect(res.status, label).toBe(404);
          expect(res.ms).toBeGreaterThanOrEqual(UNACKED_MS - 50);
          expect(posts, label).toEqual([]);
        } else {
          expect(res.status, label).toBe(200);
          expect(posts, label).toHaveLength(1);
          expectFriendlyNotice(posts[0]?.args);
        }
      }
      expect(hostile.crashes).toEqual([]);
    };
    // Ids that look like ours are answered at once: many runs. Bolt leaves the others
    // unanswered for 3 s, so they go in a few large parallel batches instead.
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          actionId.filter((id) => ours.test(id)),
          { minLength: 1, maxLength: 10 },
        ),
        async (ids) => expectLeftAlone(await sendAll(ids)),
      ),
      { numRuns: runs(25) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(actionId, { minLength: 30, maxLength: 40 }), async (ids) =>
        expectLeftAlone(await sendAll(ids)),
      ),
      { numRuns: runs(3) },
    );
    await expectHealthy(hostile);
  });
});
