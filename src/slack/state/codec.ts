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
}

/** Slack's limit for a button value. */
export const MAX_VALUE_LENGTH = 2000;

// Format: c1|<flowId>|<version>|<owner>|<lang>|<q=o,…>|<q=o,…>
// Question and option ids are lower_snake_case (flow schema) and flow ids
// are slugs, so "|", "," and "=" never occur inside them; decode still checks
// every field and rejects anything else.
const PREFIX = "c1";
const ID = /^[a-z][a-z0-9_]*$/;
const FLOW_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const USER = /^[A-Z0-9]{1,40}$/;

export function encodeState({ consultation: c, owner }: ButtonState): string {
  const pairs = (list: Array<[string, string]>) => {
    for (const [q, o] of list)
      if (!ID.test(q) || !ID.test(o)) throw new Error(`cannot encode answer ${q}=${o}: not an id`);
    return list.map(([q, o]) => `${q}=${o}`).join(",");
  };
  if (!FLOW_ID.test(c.flowId) || !USER.test(owner)) throw new Error("cannot encode flow id or owner");
  const fields = [PREFIX, c.flowId, String(c.version), owner, c.lang, pairs(c.answers)];
  if (c.kept !== undefined) fields.push(pairs(Object.entries(c.kept)));
  return fields.join("|");
}

/** Returns null for anything that is not a value this app wrote (old format, edited, truncated). */
export function decodeState(value: string | undefined): ButtonState | null {
  if (value === undefined || value.length > MAX_VALUE_LENGTH) return null;
  const fields = value.split("|");
  if (fields.length < 6 || fields.length > 7 || fields[0] !== PREFIX) return null;
  const [, flowId = "", version = "", owner = "", lang = "", answers = "", kept] = fields;
  if (!FLOW_ID.test(flowId) || !/^\d{1,9}$/.test(version) || !USER.test(owner)) return null;
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
