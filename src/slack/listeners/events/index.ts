import type { App, webApi } from "@slack/bolt";
import { parseCommandText } from "../../consult/command.ts";
import { openingMessage } from "../../consult/opening.ts";
import { attempt, EVENT_RATE_LIMIT_WAIT_S } from "../../deliver.ts";
import { type Deps, preferredLang } from "../../deps.ts";
import { RecentKeys } from "../../recent.ts";
import { claimDelivery } from "../../records.ts";
import { renderStartOffer } from "../../render/start.ts";
import { derivedConsultationId, isSlackId, newConsultationId } from "../../state/codec.ts";
import { claimStart } from "../started.ts";

interface MentionEvent {
  type: "app_mention";
  user?: string;
  channel: string;
  text?: string;
  ts: string;
  thread_ts?: string;
}
interface DirectMessageEvent {
  type: "message";
  channel_type?: string;
  subtype?: string;
  bot_id?: string;
  user?: string;
  channel: string;
  text?: string;
  thread_ts?: string;
}

/** Slack retries an event after about 0 s, 1 min and 5 min: a window that covers all three. */
const RETRY_WINDOW_MS = 10 * 60_000;

/**
 * A mention starts a consultation in the channel, visible only to the person
 * who mentioned the bot; a direct message gets a start button. One listener
 * for both keeps Bolt's per-event matching cost down.
 */
export function register(app: App, deps: Deps): void {
  const seen = new RecentKeys(RETRY_WINDOW_MS);
  app.event(/^(app_mention|message)$/, async ({ event, body, client }) => {
    // Only ids reach the records: a wrongly typed one would make every write of its batch fail.
    const teamId = (body as { team_id?: unknown }).team_id;
    const workspace = isSlackId(teamId) ? teamId : "unknown";
    // Only a string: `event:${id}` of an object can throw, or make different events one ({} is "[object Object]").
    const rawEventId = (body as { event_id?: unknown }).event_id;
    const eventId = typeof rawEventId === "string" ? rawEventId : undefined;
    // Slack redelivers an event it believes was missed; answering twice would post twice.
    // This instance remembers; another instance learns it from the records (claimStart).
    if (eventId && !seen.firstTime(`event:${eventId}`)) return;
    await deps.inflight.run(async () => {
      if (event.type === "app_mention")
        await onMention(deps, client, event as unknown as MentionEvent, workspace, eventId);
      else if (event.type === "message")
        await onDirectMessage(deps, client, event as unknown as DirectMessageEvent, eventId);
    });
  });
}

async function onMention(
  deps: Deps,
  client: webApi.WebClient,
  event: MentionEvent,
  workspace: string,
  eventId: string | undefined,
): Promise<void> {
  // Only ids: the user owns the buttons (another string could not be encoded), the channel is recorded.
  if (!isSlackId(event.user) || !isSlackId(event.channel)) return;
  const { user, channel } = event;
  const request = parseCommandText(event.text, "start");
  // From the event id, so a redelivery names the same consultation and its start is recorded once.
  const id = eventId ? derivedConsultationId("event", eventId) : newConsultationId();
  const message = openingMessage(deps.compiled, request, user, deps.command, id);
  // Another instance (or this one before a restart) may have answered this delivery already:
  // a start is claimed by its "started" record, anything else by a delivery claim.
  const first =
    request.kind === "start"
      ? await claimStart(deps, { id, owner: user, lang: request.lang, workspace, channel })
      : await claimEvent(deps, eventId, user);
  if (!first) return;
  const io = { client, logger: deps.logger, context: { event: "app_mention", user, channel } };
  await attempt(
    io,
    "chat.postEphemeral",
    () =>
      client.chat.postEphemeral({
        channel,
        user,
        ...(event.thread_ts ? { thread_ts: event.thread_ts } : {}),
        ...message,
      }),
    { waitOnRateLimitS: EVENT_RATE_LIMIT_WAIT_S },
  );
}

async function onDirectMessage(
  deps: Deps,
  client: webApi.WebClient,
  event: DirectMessageEvent,
  eventId: string | undefined,
): Promise<void> {
  // Edits, joins and bot messages (including our own) are not someone talking to us.
  if (event.channel_type !== "im" || event.subtype !== undefined || event.bot_id) return;
  if (!isSlackId(event.user) || !isSlackId(event.channel)) return;
  const { user, channel } = event;
  if (!(await claimEvent(deps, eventId, user))) return;
  const request = parseCommandText(event.text, "start");
  const lang = request.explicitLang ? request.lang : await preferredLang(client, user, deps.logger);
  const message = renderStartOffer(deps.compiled, user, lang);
  const io = { client, logger: deps.logger, context: { event: "message.im", user, channel } };
  // A message in a DM thread is answered in that thread.
  const thread = event.thread_ts ? { thread_ts: event.thread_ts } : {};
  await attempt(io, "chat.postMessage", () => client.chat.postMessage({ channel, ...thread, ...message }), {
    waitOnRateLimitS: EVENT_RATE_LIMIT_WAIT_S,
  });
}

/** False when another instance (or this one before a restart) already answered this event. */
function claimEvent(deps: Deps, eventId: string | undefined, user: string): Promise<boolean> {
  if (!eventId) return Promise.resolve(true);
  return claimDelivery(
    deps.records,
    { key: `event:${eventId}`, user, windowMs: RETRY_WINDOW_MS },
    deps.logger,
  );
}
