import type { FakeMessage } from "./index.ts";

/**
 * Request bodies shaped like the ones Slack sends (after slackapi/bolt-js
 * test/unit/helpers/events.ts), trimmed to what matters but keeping the
 * fields Bolt routes and authorizes on.
 */

export const TEAM = { id: "T0FAKE", domain: "fake" };
export const APP_ID = "A0SSLMOVE";

export function slashCommand(o: {
  command?: string;
  text?: string;
  user: string;
  channel: string;
  responseUrl: string;
}): Record<string, string> {
  return {
    token: "legacy-verification-token",
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: o.channel,
    channel_name: "general",
    user_id: o.user,
    user_name: o.user.toLowerCase(),
    command: o.command ?? "/ssl-move",
    text: o.text ?? "",
    api_app_id: APP_ID,
    is_enterprise_install: "false",
    response_url: o.responseUrl,
    trigger_id: `${Date.now()}.trigger`,
  };
}

interface ButtonLike {
  action_id: string;
  value?: string;
  text: { type: "plain_text"; text: string };
}

/** Finds a button by action_id in a message's (or a view's) blocks, with its block id. */
export function findButton(
  blocks: unknown[],
  actionId: string,
): { button: ButtonLike; blockId: string } | undefined {
  for (const raw of blocks) {
    const block = raw as { block_id?: string; elements?: unknown[]; accessory?: unknown };
    const candidates = [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])];
    for (const el of candidates) {
      const b = el as ButtonLike & { type?: string };
      if (b.type === "button" && b.action_id === actionId)
        return { button: b, blockId: block.block_id ?? "" };
    }
  }
  return undefined;
}

/** All action ids of the buttons in some blocks, in order. */
export function actionIdsIn(blocks: unknown[]): string[] {
  const ids: string[] = [];
  for (const raw of blocks) {
    const block = raw as { elements?: unknown[]; accessory?: unknown };
    for (const el of [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])]) {
      const b = el as { type?: string; action_id?: string };
      if (b.type === "button" && b.action_id) ids.push(b.action_id);
    }
  }
  return ids;
}

/** A block_actions payload for a click on `actionId` in `message` (as Slack builds it). */
export function blockActions(o: {
  message: Pick<FakeMessage, "channel" | "ts" | "blocks" | "text" | "ephemeral">;
  actionId: string;
  user: string;
  responseUrl: string;
  /** Override the button's value (forged or truncated state). */
  value?: string;
}): Record<string, unknown> {
  const found = findButton(o.message.blocks, o.actionId);
  if (!found) throw new Error(`no button ${o.actionId} in the message`);
  const { button, blockId } = found;
  return {
    type: "block_actions",
    user: { id: o.user, username: o.user.toLowerCase(), name: o.user.toLowerCase(), team_id: TEAM.id },
    api_app_id: APP_ID,
    token: "legacy-verification-token",
    container: {
      type: "message",
      message_ts: o.message.ts,
      channel_id: o.message.channel,
      is_ephemeral: o.message.ephemeral,
    },
    trigger_id: `${Date.now()}.trigger`,
    team: TEAM,
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: o.message.channel, name: o.message.channel.startsWith("D") ? "directmessage" : "general" },
    // Slack leaves the message out of payloads from ephemeral messages.
    ...(o.message.ephemeral
      ? {}
      : {
          message: {
            type: "message",
            user: "UBOT0FAKE",
            ts: o.message.ts,
            text: o.message.text ?? "",
            blocks: o.message.blocks,
          },
        }),
    state: { values: {} },
    response_url: o.responseUrl,
    actions: [
      {
        type: "button",
        action_id: o.actionId,
        block_id: blockId,
        text: button.text,
        value: o.value ?? button.value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

/** A click on a button in the App Home view (no message, no response_url). */
export function homeBlockActions(o: { view: Record<string, unknown>; actionId: string; user: string }) {
  const found = findButton((o.view.blocks as unknown[]) ?? [], o.actionId);
  if (!found) throw new Error(`no button ${o.actionId} in the view`);
  return {
    type: "block_actions",
    user: { id: o.user, username: o.user.toLowerCase(), name: o.user.toLowerCase(), team_id: TEAM.id },
    api_app_id: APP_ID,
    token: "legacy-verification-token",
    container: { type: "view", view_id: "VHOME" },
    trigger_id: `${Date.now()}.trigger`,
    team: TEAM,
    enterprise: null,
    is_enterprise_install: false,
    view: { id: "VHOME", type: "home", blocks: o.view.blocks, team_id: TEAM.id, app_id: APP_ID },
    actions: [
      {
        type: "button",
        action_id: o.actionId,
        block_id: found.blockId,
        text: found.button.text,
        value: found.button.value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

let eventSeq = 0;

/** An Events API envelope around `event`. */
export function eventEnvelope(event: Record<string, unknown>, eventId = `Ev${++eventSeq}${Date.now()}`) {
  return {
    token: "legacy-verification-token",
    team_id: TEAM.id,
    api_app_id: APP_ID,
    event,
    type: "event_callback",
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: TEAM.id, user_id: "UBOT0FAKE", is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

export function appMention(o: { user: string; channel: string; text: string; threadTs?: string }) {
  return {
    type: "app_mention",
    user: o.user,
    text: o.text,
    ts: `${Date.now() / 1000}`,
    channel: o.channel,
    event_ts: `${Date.now() / 1000}`,
    ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
  };
}

export function directMessage(o: { user: string; channel: string; text: string; botId?: string }) {
  return {
    type: "message",
    channel_type: "im",
    user: o.user,
    text: o.text,
    ts: `${Date.now() / 1000}`,
    channel: o.channel,
    event_ts: `${Date.now() / 1000}`,
    ...(o.botId ? { bot_id: o.botId } : {}),
  };
}

export function appHomeOpened(o: { user: string; tab?: "home" | "messages" }) {
  return {
    type: "app_home_opened",
    user: o.user,
    channel: `D${o.user.slice(1)}`,
    tab: o.tab ?? "home",
    event_ts: `${Date.now() / 1000}`,
  };
}
