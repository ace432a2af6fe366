import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Consultation, Lang } from "../../engine/index.ts";

/**
 * What every button carries: the whole consultation and who owns it. Because
 * the state rides in the message, any instance can serve any click, a restart
 * loses nothing, and the same button pressed twice means the same thing.
 */
export interface ButtonState {
  consultation: Consultation;
  /** Slack user id of the person who started the consultation. */
  owner: string;
  /** Stable id of the consultation, for its records (events, handoff). */
  id: string;
  /**
   * How many screens the consultation has shown: it tells apart two visits to
   * the same question (after "back"), so each click gets its own event id,
   * while a double click on one button still gets the same one.
   */
  seq: number;
}

/** Slack's limit for a button value. */
export const MAX_VALUE_LENGTH = 2000;

// Format: c3|<id>|<seq>|<flowId>|<version>|<owner>|<lang>|<q=o,…>[|<q=o,…>]|<mac>
// Question and option ids are lower_snake_case (flow schema), flow ids are
// slugs and consultation ids base64url, so "|", "," and "=" never occur
// inside them; decode still checks every field and rejects anything else.
// <mac> is 16 base64url characters (96 bits) of an HMAC-SHA256 over the rest,
// so a value that still parses but was edited (another owner, answers, id or
// screen counter) is refused like a garbled one. Unsigned values of earlier
// versions (c1, c2) are refused too: anyone could have written them.
const PREFIX = "c3";
/** What a handoff stored before values were signed (same fields, no signature). */
const STORED_LEGACY_PREFIX = "c2";
const MAC_LENGTH = 16;

/** Until an app sets one (tests of pure code), values are signed with this fixed key. */
const UNSET_KEY = createHash("sha256").update("ssl-move-bot: no button key set").digest();

/**
 * The keys of the apps in this process, the newest first: values are signed
 * with the newest and accepted with any. One app per process in production;
 * a second (the sandbox beside a test's app) must not void the first one's
 * buttons. Once a real key is set, the fixed one is no longer accepted.
 */
const buttonKeys: Buffer[] = [];

/**
 * Sets the key button values are signed with, derived from a secret all
 * instances share (the signing secret; in Socket Mode the app-level token),
 * so any instance can verify any button and a restart keeps them valid.
 * Changing the secret makes open consultations' buttons answer with the
 * start-over notice.
 */
export function setButtonKey(secret: string): void {
  const key = createHmac("sha256", "ssl-move-bot button state v3").update(secret).digest();
  const known = buttonKeys.findIndex((k) => k.equals(key));
  if (known >= 0) buttonKeys.splice(known, 1);
  buttonKeys.unshift(key);
  buttonKeys.length = Math.min(buttonKeys.length, 8);
}

function macOf(body: string, key: Buffer = buttonKeys[0] ?? UNSET_KEY): string {
  return createHmac("sha256", key).update(body).digest("base64url").slice(0, MAC_LENGTH);
}

function signedByUs(body: string, mac: string): boolean {
  const given = Buffer.from(mac);
  const keys = buttonKeys.length > 0 ? buttonKeys : [UNSET_KEY];
  return keys.some((key) => {
    const expected = Buffer.from(macOf(body, key));
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
const ID = /^[a-z][a-z0-9_]*$/;
const FLOW_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
// Slack's ids (users U/W, workspaces T, enterprises E, channels C/G/D) are upper-case letters and
// digits; Slack warns that their length may grow, so only a generous bound is kept.
const SLACK_ID = /^[A-Z0-9]{1,40}$/;
const CONSULTATION_ID = /^[A-Za-z0-9_-]{6,32}$/;

/**
 * Whether a request's id can be a Slack id. Anything else (a list, 100 KB of text) may neither own a
 * consultation nor be recorded as a workspace or channel.
 */
export const isSlackId = (value: unknown): value is string =>
  typeof value === "string" && SLACK_ID.test(value);

/** The value when it can be a Slack id, else undefined (for a fallback with ??). */
export const slackIdOrUndefined = (value: unknown): string | undefined =>
  isSlackId(value) ? value : undefined;

/** A fresh consultation id: 12 base64url characters (72 random bits). */
export function newConsultationId(): string {
  return spreadsheetSafe(randomBytes(9).toString("base64url"));
}

/** A consultation id derived from something stable (an old button), so repeats agree. */
export function derivedConsultationId(...parts: string[]): string {
  return spreadsheetSafe(createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 12));
}

/** Ids go into `npm run report`'s CSV, where a cell starting with "-" is read as a formula (#NAME?). */
function spreadsheetSafe(id: string): string {
  return id.startsWith("-") ? `x${id.slice(1)}` : id;
}

export function encodeState({ consultation: c, owner, id, seq }: ButtonState): string {
  const pairs = (list: Array<[string, string]>) => {
    for (const [q, o] of list)
      if (!ID.test(q) || !ID.test(o)) throw new Error(`cannot encode answer ${q}=${o}: not an id`);
    return list.map(([q, o]) => `${q}=${o}`).join(",");
  };
  if (!FLOW_ID.test(c.flowId) || !SLACK_ID.test(owner)) throw new Error("cannot encode flow id or owner");
  if (!CONSULTATION_ID.test(id) || !Number.isSafeInteger(seq) || seq < 0)
    throw new Error("cannot encode consultation id or sequence");
  const fields = [PREFIX, id, String(seq), c.flowId, String(c.version), owner, c.lang, pairs(c.answers)];
  if (c.kept !== undefined) fields.push(pairs(Object.entries(c.kept)));
  const body = fields.join("|");
  return `${body}|${macOf(body)}`;
}

/**
 * Returns null for anything that is not a value this app wrote with its key
 * (edited, truncated, signed with another key, unknown or unsigned format).
 */
export function decodeState(value: string | undefined): ButtonState | null {
  // typeof: the value comes from a request body, which may carry any JSON type.
  if (typeof value !== "string" || value.length > MAX_VALUE_LENGTH) return null;
  const cut = value.lastIndexOf("|");
  if (cut < 0 || !signedByUs(value.slice(0, cut), value.slice(cut + 1))) return null;
  return decodeBody(value.slice(0, cut).split("|"));
}

/**
 * For a value this app stored itself (a handoff's card in the database): the
 * signature is not checked, since the key may have changed since, and the
 * unsigned c2 form of earlier versions is read too.
 */
export function decodeStoredState(value: string): ButtonState | null {
  const fields = value.split("|");
  if (fields[0] === PREFIX) fields.pop();
  else if (fields[0] === STORED_LEGACY_PREFIX) fields[0] = PREFIX;
  else return null;
  return decodeBody(fields);
}

function decodeBody(fields: string[]): ButtonState | null {
  if (fields[0] !== PREFIX) return null;
  const [, id = "", seq = ""] = fields;
  if (!CONSULTATION_ID.test(id) || !/^\d{1,9}$/.test(seq)) return null;
  const rest = decodeFields(fields.slice(3));
  return rest && { ...rest, id, seq: Number(seq) };
}

function decodeFields(fields: string[]): Omit<ButtonState, "id" | "seq"> | null {
  if (fields.length < 5 || fields.length > 6) return null;
  const [flowId = "", version = "", owner = "", lang = "", answers = "", kept] = fields;
  if (!FLOW_ID.test(flowId) || !/^\d{1,9}$/.test(version) || !SLACK_ID.test(owner)) return null;
  if (lang !== "ja" && lang !== "en") return null;
  const parsedAnswers = parsePairs(answers);
  const parsedKept = kept === undefined ? undefined : parsePairs(kept);
  if (parsedAnswers === null || parsedKept === null) return null;
  const consultation: Consultation = {
    flowId,
    version: Number(version),
    lang: lang as Lang,
    answers: parsedAnswers,
    ...(parsedKept !== undefined ? { kept: Object.fromEntries(parsedKept) } : {}),
  };
  return { consultation, owner };
}

function parsePairs(text: string): Array<[string, string]> | null {
  if (text === "") return [];
  const pairs: Array<[string, string]> = [];
  for (const item of text.split(",")) {
    const [q, o, extra] = item.split("=");
    if (q === undefined || o === undefined || extra !== undefined || !ID.test(q) || !ID.test(o)) return null;
    pairs.push([q, o]);
  }
  return pairs;
}
