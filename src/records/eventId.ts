import { createHash } from "node:crypto";

/**
 * Idempotency key for an event, derived only from what the click carries (the
 * consultation, the answers so far, the button pressed) and never from time or
 * Slack's request ids: a double click or a redelivered request then yields the
 * same id and is stored once.
 */
export function eventId(...parts: readonly (string | number | null)[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 32);
}
