import type { BlockAction, Logger, webApi } from "@slack/bolt";
import { describeError } from "./log.ts";
import type { SlackMessage } from "./render/blocks.ts";
import { type Respond, ResponseUrlError, ResponseUrlNotSent } from "./responseUrl.ts";
import { slackIdOrUndefined } from "./state/codec.ts";

/** Where a click came from, which decides how its message is redrawn. */
export interface ClickSurface {
  user: string;
  channel?: string;
  messageTs?: string;
  /** An ephemeral message (channels): only response_url can change it. */
  ephemeral: boolean;
  /** A button in a view (App Home): there is no message to redraw. */
  inView: boolean;
}

const text = (value: unknown) => (typeof value === "string" ? value : undefined);

export function surfaceOf(body: BlockAction): ClickSurface {
  // ?? {}: a payload without a container is still answered (with a notice if nothing else).
  const container = (body.container ?? {}) as {
    type?: string;
    is_ephemeral?: boolean;
    message_ts?: string;
    channel_id?: string;
  };
  // Only strings, and for the channel only a Slack id: it goes into the records, where a wrongly
  // typed one would make every write fail and any other text would be a channel in the reports.
  const messageTs = text(body.message?.ts) ?? text(container.message_ts);
  const channel = slackIdOrUndefined(body.channel?.id) ?? slackIdOrUndefined(container.channel_id);
  return {
    // Only an id can own a consultation; anything else would only reach the logs and Slack's calls.
    user: slackIdOrUndefined(body.user.id) ?? "",
    ...(channel ? { channel } : {}),
    ...(messageTs ? { messageTs } : {}),
    ephemeral: container.is_ephemeral === true,
    inView: container.type === "view",
  };
}

export interface SlackIO {
  client: webApi.WebClient;
  /** Posts to the interaction's response_url, when it has one. */
  respond?: Respond;
  logger: Logger;
  /** Facts for every log line about this interaction (never tokens or payload values). */
  context: Record<string, unknown>;
}

/**
 * Runs one Slack call; a failure (rate limit, network, expired response_url)
 * is logged with its context and reported as false, never thrown. A rate
 * limit of up to `waitOnRateLimitS` (WAITING_RATE_LIMIT_WAIT_S unless given)
 * is waited out once.
 */
export async function attempt(
  io: SlackIO,
  what: string,
  call: () => Promise<unknown>,
  options: { waitOnRateLimitS?: number } = {},
): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    // A short rate limit is worth waiting out once, as long as the caller can wait that long.
    const wait = rateLimitWaitS(error);
    if (wait !== undefined && wait <= (options.waitOnRateLimitS ?? WAITING_RATE_LIMIT_WAIT_S)) {
      io.logger.warn(`slack call rate-limited: ${what}; trying again in ${wait} s`, io.context);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      // Once only: a limit that comes back is reported, not waited out again.
      return attempt(io, what, call, { waitOnRateLimitS: -1 });
    }
    io.logger.error(`slack call failed: ${what}`, { ...io.context, error: describeError(error) });
    return false;
  }
}

/** Seconds Slack asked us to wait, when the error is a rate limit (HTTP 429). */
function rateLimitWaitS(error: unknown): number | undefined {
  if (error instanceof ResponseUrlError) return error.statusCode === 429 ? error.retryAfterS : undefined;
  const e = error as { code?: unknown; retryAfter?: unknown };
  if (e?.code !== "slack_webapi_rate_limited_error") return undefined;
  return typeof e.retryAfter === "number" && e.retryAfter >= 0 ? e.retryAfter : undefined;
}

/** For event handlers: a rate limit of up to this many seconds is waited out once. */
export const EVENT_RATE_LIMIT_WAIT_S = 5;

/**
 * For what a person waits to see, acked already (a click's redraw, a
 * command's reply, a handoff's cards): a second's wait is better than
 * "please try again", whose press would only add to the workspace's rate; a
 * longer limit gets that notice at once.
 */
export const WAITING_RATE_LIMIT_WAIT_S = 2;

/**
 * Redraws the consultation message: through response_url for ephemeral
 * messages, chat.update for normal ones, and as a new DM when the button
 * was in App Home.
 */
export function replaceMessage(io: SlackIO, surface: ClickSurface, message: SlackMessage): Promise<boolean> {
  if (surface.inView)
    return attempt(io, "chat.postMessage", () =>
      io.client.chat.postMessage({ channel: surface.user, ...message }),
    );
  if (!surface.ephemeral && surface.channel && surface.messageTs) {
    const { channel, messageTs: ts } = surface;
    return attempt(io, "chat.update", () => io.client.chat.update({ channel, ts, ...message }));
  }
  const { respond } = io;
  if (respond)
    return attempt(io, "respond(replace_original)", () => respond({ replace_original: true, ...message }));
  return Promise.resolve(false);
}

/**
 * A message only the clicker sees; the consultation message is left alone.
 * When the response_url refuses (used up, expired), chat.postEphemeral still
 * reaches the clicker wherever the bot may post.
 */
export function sendNotice(io: SlackIO, surface: ClickSurface, message: SlackMessage): Promise<boolean> {
  // The notice comes beside the message, never over it.
  return respondOrPostEphemeral(
    io,
    "respond(ephemeral)",
    message,
    { replace_original: false },
    {
      user: surface.user,
      channel: surface.channel ?? surface.user,
    },
  );
}

/**
 * A slash command's answer, seen only by the person who typed it: through the
 * command's response_url, or in the channel it was typed in when that URL is
 * clearly refused (the person would otherwise hear nothing).
 */
export function answerCommand(
  io: SlackIO,
  what: string,
  where: { user: string; channel: string | undefined },
  message: SlackMessage,
): Promise<boolean> {
  return respondOrPostEphemeral(io, what, message, {}, where);
}

/** The response_url first; chat.postEphemeral only after a clear refusal, or without a URL at all. */
async function respondOrPostEphemeral(
  io: SlackIO,
  what: string,
  message: SlackMessage,
  respondOptions: { replace_original?: false },
  where: { user: string; channel: string | undefined },
): Promise<boolean> {
  const { respond } = io;
  if (respond) {
    let refused = false;
    const sent = await attempt(io, what, async () => {
      try {
        await respond({ response_type: "ephemeral", ...respondOptions, ...message });
      } catch (error) {
        refused = isRefusedUrl(error);
        throw error;
      }
    });
    // Only a clear refusal: after a timeout or a 5xx the message may well have arrived.
    if (sent || !refused) return sent;
  }
  const { channel, user } = where;
  if (channel === undefined) return false;
  return attempt(io, "chat.postEphemeral", () => io.client.chat.postEphemeral({ channel, user, ...message }));
}

/**
 * Slack's answer for a response_url used up (5 posts) or expired (30 minutes), or one the app would
 * not post to (not a URL, not Slack's host): either way nothing arrived, so the fallback cannot repeat it.
 */
function isRefusedUrl(error: unknown): boolean {
  if (error instanceof ResponseUrlNotSent) return true;
  return error instanceof ResponseUrlError && (error.statusCode === 404 || error.statusCode === 410);
}

/** A copy everyone in the channel sees. */
export function shareToChannel(io: SlackIO, surface: ClickSurface, message: SlackMessage): Promise<boolean> {
  const { respond } = io;
  if (respond)
    return attempt(io, "respond(in_channel)", () =>
      respond({ response_type: "in_channel", replace_original: false, ...message }),
    );
  const channel = surface.channel ?? surface.user;
  return attempt(io, "chat.postMessage", () => io.client.chat.postMessage({ channel, ...message }));
}
