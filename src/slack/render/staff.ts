import type { Lang, OutcomeStep } from "../../engine/index.ts";
import { formatFee } from "../../present/formatFee.ts";
import { machineLine } from "../../present/machineLine.ts";
import type { Handoff } from "../../records/index.ts";
import { actionIds } from "../state/actionIds.ts";
import {
  actions,
  type Block,
  button,
  context,
  escapeMrkdwn,
  header,
  type SlackMessage,
  section,
} from "./blocks.ts";
import { renderNotice } from "./notice.ts";

/** Where the customer's consultation is. */
export interface CustomerPlace {
  workspace: string;
  user: string;
  channel: string;
  messageTs?: string;
  ephemeral: boolean;
}

/**
 * Where staff find the conversation. chat.getPermalink cannot be used
 * (ephemeral messages have none), so: the channel as a mention, which Slack
 * shows as a link to it, plus the message's archive URL for a channel
 * message; a DM with the app cannot be opened by staff, so it names the
 * customer. (mrkdwn has no link inside a link label: `<url|<#C…>>` would
 * show its brackets.)
 */
export function conversationLink(place: CustomerPlace): string {
  if (place.channel.startsWith("D")) return `<@${place.user}> (DM)`;
  if (!place.ephemeral && place.messageTs)
    return `<#${place.channel}> (<https://slack.com/archives/${place.channel}/p${place.messageTs.replace(".", "")}|message>)`;
  return `<#${place.channel}>`;
}

const LANGUAGE: Record<Lang, string> = { ja: "日本語 / Japanese", en: "英語 / English" };

/**
 * The handoff summary kept in the records and shown to staff (mrkdwn,
 * Japanese and English labels). The result, fee and answers are in the
 * customer's language, as they saw them, and the summary says which it is.
 */
export function handoffSummary(step: OutcomeStep, place: CustomerPlace, lang: Lang): string {
  const fee = formatFee(step.fee, lang);
  return [
    `*お客様 / Customer*: <@${place.user}> — ${conversationLink(place)}`,
    `*言語 / Language*: ${LANGUAGE[lang]}`,
    `*結果 / Outcome*: ${escapeMrkdwn(step.title)}`,
    `*料金 / Fee*: ${escapeMrkdwn(fee.line)}`,
    `\`${machineLine(step)}\``,
    "*回答 / Answers*",
    ...step.answers.map((a) => `• ${escapeMrkdwn(a.questionText)} — *${escapeMrkdwn(a.optionLabel)}*`),
  ].join("\n");
}

const TITLE = "🙋 担当者への相談 / A customer asks for staff";

/** The staff channel's message: the summary and "Take it" (its value is the handoff id). */
export function renderStaffRequest(handoff: Pick<Handoff, "id" | "summary">): SlackMessage {
  return {
    text: TITLE,
    blocks: [
      header(TITLE),
      section(handoff.summary, "summary"),
      actions("handoff", [button("対応する / Take it", actionIds.take, handoff.id, "primary")]),
    ],
  };
}

/** The staff message once someone took it: no button, who has it. */
export function renderStaffTaken(handoff: Pick<Handoff, "summary">, assignee: string): SlackMessage {
  const blocks: Block[] = [
    header(TITLE),
    section(handoff.summary, "summary"),
    context(`✅ <@${assignee}> さんが対応しています / <@${assignee}> took it`, "taken"),
  ];
  return { text: `${TITLE} — <@${assignee}>`, blocks };
}

export function renderAlreadyTaken(assignee: string | null): SlackMessage {
  return renderNotice(
    assignee
      ? `この相談はすでに <@${assignee}> さんが対応しています。 / Already taken by <@${assignee}>.`
      : "この担当者への相談は見つかりませんでした（削除された可能性があります）。 / This handoff could not be found (it may have been removed).",
  );
}

/** To the staff member whose "Take it" could not be recorded: what happened and what to do. */
export function renderTakeFailed(): SlackMessage {
  return renderNotice(
    "担当者として登録できませんでした（記録用のデータベースに接続できません）。少し待ってから、もう一度「対応する」を押してください。 / Could not record you as the assignee (the records database cannot be reached). Please wait a moment and press Take it again.",
  );
}
