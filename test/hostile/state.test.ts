import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/slack/fakeSlack/index.ts";
import { UI } from "../../src/slack/i18n.ts";
import { actionIds } from "../../src/slack/state/actionIds.ts";
import { decodeState, encodeState } from "../../src/slack/state/codec.ts";
import { actionIdsIn, blockActions, findButton } from "../support/payloads.ts";
import { runs } from "../support/propertyRuns.ts";
import {
  CHANNEL,
  eventsOf,
  expectFriendlyNotice,
  expectHealthy,
  expectRecordsFlowing,
  type Hostile,
  OTHER,
  OWNER,
  snapshot,
  startHostile,
} from "./support.ts";

/**
 * Button state tampered with: the value of a real button on a real rendered
 * screen, flipped, truncated or extended; or a well-formed state naming
 * another flow, another version, another owner, or answers never asked.
 */

/** A consultation on its second screen (one answer given), as the fake holds it. */
async function secondScreen(hostile: Hostile) {
  const { h } = hostile;
  const first = await h.command({ user: OWNER, channel: CHANNEL });
  const second = await h.click(first, "answer:validity:valid");
  expect(second.message.updates).toBe(1);
  return snapshot(second.message);
}

/** Clicks `actionId` on `message` as `user` with `value`, through the message's own response_url. */
async function clickWith(
  hostile: Hostile,
  message: FakeMessage,
  actionId: string,
  value: string,
  user = OWNER,
) {
  const { h } = hostile;
  const responseUrl = h.fake.responseUrl({ channel: message.channel, user, messageTs: message.ts });
  const payload = blockActions({ message, actionId, user, responseUrl, value });
  const mark = h.fake.mark();
  const res = await h.client.interaction(payload);
  await h.idle();
  const after = h.fake.message(message.channel, message.ts) as FakeMessage;
  return { res, after, posts: h.fake.calls.filter((c) => c.seq > mark && c.responseUrl === responseUrl) };
}

const tamper = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    char: fc.string({ minLength: 1, maxLength: 1 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("append" as const), text: fc.string({ minLength: 1, maxLength: 40 }) }),
  fc.record({ kind: fc.constant("pad" as const), text: fc.string({ minLength: 1, maxLength: 3 }) }),
);
type Tamper = typeof tamper extends fc.Arbitrary<infer T> ? T : never;

function apply(value: string, t: Tamper): string {
  switch (t.kind) {
    case "flip": {
      const at = t.at % value.length;
      return value.slice(0, at) + t.char + value.slice(at + 1);
    }
    case "truncate":
      return value.slice(0, t.at % value.length);
    case "append":
      return value + t.text;
    case "pad":
      // Past Slack's 2000-character limit for a value.
      return value + t.text.repeat(Math.ceil(2001 / t.text.length));
  }
}

describe("tampered button state", () => {
  let hostile: Hostile;
  beforeAll(async () => {
    hostile = await startHostile();
  });
  afterAll(async () => {
    await hostile.close();
  });

  it("an unreadable value (flipped, truncated, appended, too long) gets the 'cannot read' notice; nothing changes or is recorded", async () => {
    const screen = await secondScreen(hostile);
    const id = decodeState(findButton(screen.blocks, "nav:back")?.button.value)?.id as string;
    const buttons = actionIdsIn(screen.blocks);
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...buttons),
        fc.array(tamper, { minLength: 1, maxLength: 3 }),
        async (actionId, edits) => {
          const original = findButton(screen.blocks, actionId)?.button.value as string;
          const value = edits.reduce(apply, original);
          // Every edit counts: the value is signed, so an edit that still parses is refused too.
          fc.pre(value !== original);
          tried++;
          const before = (await eventsOf(hostile, id)).length;
          const { res, after, posts } = await clickWith(hostile, screen, actionId, value);
          expect(res.status).toBe(200);
          expect(after.updates).toBe(1); // only the first answer's redraw
          expect(posts).toHaveLength(1);
          expectFriendlyNotice(posts[0]?.args);
          expect(String(posts[0]?.args.text)).toBe(UI.ja.unreadable("/ssl-move"));
          expect(await eventsOf(hostile, id)).toHaveLength(before);
        },
      ),
      { numRuns: runs(60) },
    );
    expect(tried).toBeGreaterThan(runs(50));
    await expectRecordsFlowing(hostile);
    await expectHealthy(hostile);
  });

  it("a value edited so that it still parses (owner made the clicker, another answer, another id or screen) is refused: the 'cannot read' notice, nothing changes or is recorded", async () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant("owner is the clicker" as const) }),
      fc.record({ kind: fc.constant("answer" as const), option: fc.constantFrom("expired", "valid") }),
      fc.record({ kind: fc.constant("id" as const), id: fc.stringMatching(/^[A-Za-z0-9_-]{12}$/) }),
      fc.record({ kind: fc.constant("seq" as const), seq: fc.integer({ min: 0, max: 99 }) }),
      fc.record({ kind: fc.constant("language" as const) }),
    );
    await fc.assert(
      fc.asyncProperty(edit, async (e) => {
        const screen = await secondScreen(hostile);
        const actionId = "answer:current_server:our_shared";
        const original = findButton(screen.blocks, actionId)?.button.value as string;
        const real = decodeState(original);
        if (!real) throw new Error("the real button does not decode");
        // The fields are edited in the text itself, keeping the signature as it was.
        const fields = original.split("|");
        let clicker = OWNER;
        if (e.kind === "owner is the clicker") {
          fields[5] = OTHER;
          clicker = OTHER;
        }
        if (e.kind === "answer") fields[7] = `validity=${e.option === "valid" ? "expired" : "valid"}`;
        if (e.kind === "id") fields[1] = e.id;
        if (e.kind === "seq") fields[2] = String(e.seq);
        if (e.kind === "language") fields[6] = fields[6] === "ja" ? "en" : "ja";
        const value = fields.join("|");
        fc.pre(value !== original);
        const { res, after, posts } = await clickWith(hostile, screen, actionId, value, clicker);
        expect(res.status).toBe(200);
        expect(after.updates).toBe(1);
        expect(posts).toHaveLength(1);
        expectFriendlyNotice(posts[0]?.args);
        expect(String(posts[0]?.args.text)).toBe(UI.ja.unreadable("/ssl-move"));
        expect((await eventsOf(hostile, real.id)).map((ev) => ev.kind)).toEqual(["started", "answered"]);
        if (e.kind === "id") expect(await eventsOf(hostile, e.id)).toEqual([]);
      }),
      { numRuns: runs(30) },
    );
    await expectRecordsFlowing(hostile);
    await expectHealthy(hostile);
  });

  it("a well-formed state for another flow, version, owner, or with answers never asked: told, never advanced, never recorded", async () => {
    const slug = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);
    const forgery = fc.oneof(
      fc.record({ kind: fc.constant("flow" as const), flowId: slug.filter((f) => f !== "ssl-migration") }),
      fc.record({
        kind: fc.constant("version" as const),
        delta: fc.integer({ min: -3, max: 1000 }).filter((d) => d !== 0),
      }),
      fc.record({
        kind: fc.constant("owner" as const),
        clicker: fc.constantFrom(OTHER, "W0ENTERPRISE", "U0"),
      }),
      fc.record({
        kind: fc.constant("never asked" as const),
        // zz_: a question the flow does not have (the real ids are words like validity, installer).
        extra: fc.array(
          fc.tuple(
            slug.map((q) => `zz_${q}`),
            slug,
          ),
          { minLength: 1, maxLength: 4 },
        ),
        where: fc.constantFrom("before", "after", "instead"),
      }),
    );
    await fc.assert(
      fc.asyncProperty(forgery, async (f) => {
        const screen = await secondScreen(hostile);
        const actionId = "answer:current_server:our_shared";
        const real = decodeState(findButton(screen.blocks, actionId)?.button.value);
        if (!real) throw new Error("the real button does not decode");
        const c = real.consultation;
        let clicker = OWNER;
        let forged = real;
        if (f.kind === "flow") forged = { ...real, consultation: { ...c, flowId: f.flowId } };
        if (f.kind === "version")
          forged = { ...real, consultation: { ...c, version: Math.max(0, c.version + f.delta) } };
        if (f.kind === "owner") clicker = f.clicker;
        if (f.kind === "never asked") {
          const extra = f.extra as Array<[string, string]>;
          const answers =
            f.where === "before"
              ? [...extra, ...c.answers]
              : f.where === "after"
                ? [...c.answers, ...extra]
                : extra;
          forged = { ...real, consultation: { ...c, answers } };
        }
        const value = encodeState(forged);
        const { res, after, posts } = await clickWith(hostile, screen, actionId, value, clicker);
        expect(res.status).toBe(200);
        expect((await eventsOf(hostile, real.id)).map((e) => e.kind)).toEqual(["started", "answered"]);
        const otherVersion =
          forged.consultation.flowId !== c.flowId || forged.consultation.version !== c.version;
        if (f.kind === "owner") {
          expect(after.updates).toBe(1);
          expect(posts).toHaveLength(1);
          expectFriendlyNotice(posts[0]?.args);
          expect(String(posts[0]?.args.text)).toContain(`<@${OWNER}>`);
          expect(h().fake.messages.at(-1)?.visibleTo).toBe(clicker);
        } else if (otherVersion) {
          // By design the screen says the flow changed and offers only "start over".
          expect(after.updates).toBe(2);
          expect(actionIdsIn(after.blocks)).toEqual([actionIds.restart]);
        } else {
          expect(after.updates).toBe(1);
          expect(posts).toHaveLength(1);
          expectFriendlyNotice(posts[0]?.args);
          expect(String(posts[0]?.args.text)).toBe(UI.ja.stale);
        }
      }),
      { numRuns: runs(40) },
    );
    await expectRecordsFlowing(hostile);
    await expectHealthy(hostile);
  });

  const h = () => hostile.h;
});
