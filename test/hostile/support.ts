import fc from "fast-check";
import { expect } from "vitest";
import type { FakeMessage } from "../../src/slack/fakeSlack/index.ts";
import { decodeState } from "../../src/slack/state/codec.ts";
import { type TestRecords, testRecords } from "../slack/recordsSupport.ts";
import { BOT_TOKEN, Harness, SIGNING_SECRET } from "../support/harness.ts";
import { actionIdsIn, blockActions, findButton } from "../support/payloads.ts";
import { type SendOptions, type SlackResponse, sign } from "../support/signedClient.ts";

/** Characters that mean something to Slack ids, mrkdwn, URLs, HTML, logs or terminals. */
const AWKWARD = [
  "\u0000",
  "\u0007",
  "\u001b",
  "\u200b",
  "\u202e",
  "\ufeff",
  "\ufffd",
  "<",
  "&",
  "|",
  "%",
  "\\",
  '"',
  "\n",
  "\r",
  "Ｕ",
  "👍🏽",
];

/**
 * Text as a hostile client can send it. fast-check's default strings are short
 * printable ASCII only; these mix that with any code point (NUL, controls,
 * astral characters) and awkward ones, never a lone surrogate (which no JSON
 * encoder sends and encodeURIComponent refuses).
 */
export const clientText = (c: { minLength?: number; maxLength?: number } = {}) =>
  fc.string({
    ...c,
    unit: fc.oneof(
      fc.string({ minLength: 1, maxLength: 1 }),
      fc.string({ minLength: 1, maxLength: 1, unit: "binary" }),
      fc.constantFrom(...AWKWARD),
    ),
  });

export const OWNER = "UOWNER1";
export const OTHER = "UOTHER2";
export const CHANNEL = "C0GENERAL";
export const FORM = "application/x-www-form-urlencoded";
export const JSON_TYPE = "application/json";
/** Bolt answers an event no listener acknowledged with 404 after this long (HTTPReceiver default 3001 ms). */
export const UNACKED_MS = 3001;

export interface Hostile {
  h: Harness;
  records: TestRecords;
  /** Unhandled rejections and uncaught exceptions seen while the app ran: a crash in a plain Node process. */
  crashes: unknown[];
  close(): Promise<void>;
}

/** The real app over HTTP, a SQLite store the test can read, debug logs captured, crashes caught. */
export async function startHostile(): Promise<Hostile> {
  const crashes: unknown[] = [];
  const onCrash = (reason: unknown) => void crashes.push(reason);
  process.on("unhandledRejection", onCrash);
  process.on("uncaughtException", onCrash);
  const records = testRecords();
  const h = await Harness.start({ records });
  return {
    h,
    records,
    crashes,
    async close() {
      await h.close();
      await records.close();
      process.off("unhandledRejection", onCrash);
      process.off("uncaughtException", onCrash);
    },
  };
}

/**
 * Posts a raw body, signed correctly unless `options.signature` says otherwise,
 * and gives up after `timeoutMs` (status 0): a request the app never answers
 * is a failure, not a hung test.
 */
export async function sendRaw(
  h: Harness,
  body: string,
  contentType: string,
  options: SendOptions & { timeoutMs?: number } = {},
): Promise<SlackResponse & { ms: number }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<SlackResponse>((resolve) => {
    timer = setTimeout(() => resolve({ status: 0, body: "no answer" }), options.timeoutMs ?? 5000);
  });
  try {
    const res = await Promise.race([h.client.send(body, contentType, options), timeout]);
    return { ...res, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

export const formPayload = (json: string) => `payload=${encodeURIComponent(json)}`;

export function signedHeaders(
  body: string,
  secret = SIGNING_SECRET,
  timestamp = Math.floor(Date.now() / 1000),
) {
  return { timestamp, signature: sign(secret, timestamp, body) };
}

/** The message as it is now (the fake updates messages in place). */
export const snapshot = (m: FakeMessage): FakeMessage => ({ ...m, blocks: structuredClone(m.blocks) });

export function questionOf(message: FakeMessage): string | undefined {
  return actionIdsIn(message.blocks)
    .find((id) => id.startsWith("answer:"))
    ?.split(":")[1];
}

export function consultationIdOf(message: FakeMessage): string | undefined {
  for (const id of actionIdsIn(message.blocks)) {
    const state = decodeState(findButton(message.blocks, id)?.button.value);
    if (state) return state.id;
  }
  return undefined;
}

/** A fresh consultation (slash command), with the click payload Slack would send for its first answer. */
export async function freshClick(h: Harness, o: { user?: string; actionId?: string } = {}) {
  const user = o.user ?? OWNER;
  const message = snapshot(await h.command({ user, channel: CHANNEL }));
  const responseUrl = h.fake.responseUrl({ channel: CHANNEL, user, messageTs: message.ts });
  // A deep copy: the payload shares objects (the team) with every other one, and tests mutate it.
  const payload = structuredClone(
    blockActions({
      message,
      actionId: o.actionId ?? "answer:validity:valid",
      user,
      responseUrl,
    }),
  ) as Record<string, unknown> & { actions: Array<Record<string, unknown>> };
  const id = consultationIdOf(message);
  if (!id) throw new Error("the first screen carries no consultation id");
  return { message, payload, responseUrl, id };
}

/** Events the store holds for one consultation. */
export async function eventsOf(hostile: Hostile, consultationId: string) {
  await hostile.records.settle();
  return hostile.records.events().filter((e) => e.consultationId === consultationId);
}

/**
 * Every queued event was written (none the store refuses is stuck at the head of the queue) and the
 * database holds exactly those; each names a workspace, channel and user by a Slack id (or
 * "unknown"), never by what a request sent; and no event was filed under a wrong consultation:
 * each belongs to one that was started, for the same customer, workspace and flow version.
 */
export async function expectRecordsFlowing(hostile: Hostile): Promise<void> {
  expect(hostile.records.recorder.stats().queued).toBe(0);
  const events = hostile.records.events();
  expect(await hostile.records.store.countEvents()).toBe(events.length);
  const idOrUnknown = (v: unknown) => v === "unknown" || (typeof v === "string" && SLACK_ID.test(v));
  const started = new Map(events.filter((e) => e.kind === "started").map((e) => [e.consultationId, e]));
  for (const e of events) {
    const where = `${e.kind} ${String(e.workspace).slice(0, 40)} ${String(e.channel).slice(0, 40)}`;
    expect(idOrUnknown(e.workspace), where).toBe(true);
    expect(idOrUnknown(e.channel), where).toBe(true);
    expect(SLACK_ID.test(e.user), where).toBe(true);
    const first = started.get(e.consultationId);
    expect(first, `${where}: ${e.consultationId} was never started`).toBeDefined();
    expect(
      [e.user, e.workspace, e.flowId, e.flowVersion],
      `${where}: filed under ${e.consultationId}, which is another customer's or workspace's`,
    ).toEqual([first?.user, first?.workspace, first?.flowId, first?.flowVersion]);
  }
}
/** What Slack's ids look like (written out, not the app's own predicate). */
export const SLACK_ID = /^[A-Z0-9]{1,40}$/;

/**
 * The app still works: a normal consultation answers a normal click with
 * 200, redraws the message and records "started" and "answered" for it.
 */
export async function expectHealthy(hostile: Hostile): Promise<void> {
  const { h } = hostile;
  const { message, payload, id } = await freshClick(h);
  const res = await h.client.interaction(payload);
  await h.idle();
  expect(res.status).toBe(200);
  const after = h.fake.message(message.channel, message.ts);
  expect(after?.updates).toBe(1);
  expect(questionOf(after as FakeMessage)).toBe("current_server");
  const kinds = (await eventsOf(hostile, id)).map((e) => e.kind);
  expect(kinds).toEqual(["started", "answered"]);
  await expectRecordsFlowing(hostile);
  expect(hostile.crashes).toEqual([]);
}

/** No line of the captured log holds a secret (or its JSON-escaped form). */
export function expectNoSecrets(
  lines: readonly string[],
  secrets: readonly string[] = [BOT_TOKEN, SIGNING_SECRET],
) {
  for (const line of lines)
    for (const secret of secrets) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain(JSON.stringify(secret).slice(1, -1));
    }
}

/** What a notice to the clicker looks like: ephemeral, leaves the message alone, human words, no stack. */
export function expectFriendlyNotice(args: Record<string, unknown> | undefined): void {
  expect(args).toMatchObject({ response_type: "ephemeral", replace_original: false });
  const text = JSON.stringify(args);
  expect(text).not.toMatch(/\bat \S+ \(|TypeError|ReferenceError|Error:|undefined|\[object/);
  expect(typeof args?.text).toBe("string");
  expect(String(args?.text ?? "").length).toBeGreaterThan(5);
}
