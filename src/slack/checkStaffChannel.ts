import type { Logger, webApi } from "@slack/bolt";
import { describeError } from "./log.ts";

/** What the start-up check found about STAFF_CHANNEL_ID. */
export type StaffChannelCheck = "member" | "not_member" | "not_found" | "cannot_check";

/**
 * Looks once, at start, whether the bot is in the staff channel: without it
 * every "Ask staff" fails (the customer is told so), and the operator would
 * otherwise learn it only from the first customer. It never stops the start:
 * it logs what to do. Needs channels:read / groups:read (in the manifest); an
 * app installed before they were asked for gets one line saying it cannot check.
 */
export async function checkStaffChannel(
  client: webApi.WebClient,
  channel: string,
  logger: Logger,
): Promise<StaffChannelCheck> {
  try {
    const info = await client.conversations.info({ channel });
    const name = info.channel?.name ? ` (#${info.channel.name})` : "";
    if (info.channel?.is_member) {
      logger.info(`staff channel ${channel}${name}: the bot is a member`);
      return "member";
    }
    const me = await client.auth.test().then(
      (who) => (who.user ? `@${who.user}` : "the app"),
      () => "the app",
    );
    logger.warn(
      `staff channel ${channel}${name}: the bot is not a member, so "Ask staff" will fail; invite it there (/invite ${me})`,
    );
    return "not_member";
  } catch (error) {
    const facts = describeError(error);
    if (facts.slackError === "channel_not_found") {
      logger.warn(
        `staff channel ${channel} not found (or private without the bot): check STAFF_CHANNEL_ID, and invite the bot to a private channel`,
      );
      return "not_found";
    }
    logger.info(
      facts.slackError === "missing_scope"
        ? `staff channel ${channel}: not checked; the app lacks channels:read / groups:read (reinstall it with manifest.yaml to let it check)`
        : `staff channel ${channel}: not checked (${String(facts.message ?? facts.slackError)})`,
    );
    return "cannot_check";
  }
}
