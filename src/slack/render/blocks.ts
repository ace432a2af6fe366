import type { types } from "@slack/bolt";

export type Block = types.KnownBlock;
export type ButtonElement = types.Button;

/** What a render function returns: the blocks plus the plain-text fallback Slack shows in notifications. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Block Kit limits this app must respect (docs.slack.dev/reference/block-kit). */
export const LIMITS = {
  messageBlocks: 50,
  homeBlocks: 100,
  sectionText: 3000,
  headerText: 150,
  contextText: 2000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  fallbackText: 3000,
} as const;

const MRKDWN_SPECIAL = /[&<>]/g;
const MRKDWN_ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/** Slack mrkdwn treats &, < and > as control characters. */
export function escapeMrkdwn(text: string): string {
  // Most texts have none of the three: one scan instead of three replaces (render runs on every click).
  return text.replace(MRKDWN_SPECIAL, (c) => MRKDWN_ENTITY[c] as string);
}

/** Shortens to `max` characters (code points), marking the cut. */
export function clip(text: string, max: number): string {
  // A string never has more code points than UTF-16 units, so short texts need no splitting.
  if (text.length <= max) return text;
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

export function section(text: string, blockId?: string): types.SectionBlock {
  return {
    type: "section",
    ...(blockId ? { block_id: blockId } : {}),
    text: { type: "mrkdwn", text: clip(text, LIMITS.sectionText) },
  };
}

export function header(text: string): Block {
  return { type: "header", text: { type: "plain_text", text: clip(text, LIMITS.headerText), emoji: true } };
}

export function context(text: string, blockId?: string): Block {
  return {
    type: "context",
    ...(blockId ? { block_id: blockId } : {}),
    elements: [{ type: "mrkdwn", text: clip(text, LIMITS.contextText) }],
  };
}

export function divider(): Block {
  return { type: "divider" };
}

export function button(
  text: string,
  actionId: string,
  value: string,
  style?: "primary" | "danger",
): ButtonElement {
  return {
    type: "button",
    action_id: actionId,
    text: { type: "plain_text", text: clip(text, LIMITS.buttonText), emoji: true },
    value,
    ...(style ? { style } : {}),
  };
}

export function actions(blockId: string, elements: ButtonElement[]): Block {
  return { type: "actions", block_id: blockId, elements };
}

/**
 * A titled list as one section, or several when it would pass the 3000
 * character limit: lines are never cut in the middle unless one alone is too long.
 */
export function listSections(title: string, lines: string[], blockId: string): Block[] {
  const chunks: string[] = [];
  let current = `*${title}*`;
  for (const line of lines) {
    if (current.length + 1 + line.length > LIMITS.sectionText) {
      chunks.push(current);
      current = line;
    } else current = `${current}\n${line}`;
  }
  chunks.push(current);
  return chunks.map((text, i) => section(text, i === 0 ? blockId : `${blockId}_${i}`));
}
