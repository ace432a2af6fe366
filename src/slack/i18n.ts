import type { Lang } from "../engine/index.ts";
import { RESULT_WORDING, type ResultWording } from "../present/wording.ts";

/**
 * The app's own words (buttons, labels, notices). Questions, options and
 * outcome texts are flow data and come only from the engine's steps.
 * Japanese is the first language; every string has both.
 */
export interface UiText extends ResultWording {
  back: string;
  restart: string;
  /** Label of the button that switches to the other language (written in that language). */
  otherLanguage: string;
  progress: (questionNumber: number, atMost: number) => string;
  answersSoFar: string;
  previousAnswer: (label: string) => string;
  change: string;
  share: string;
  sharedBy: (user: string) => string;
  notOwner: (owner: string, command: string) => string;
  stale: string;
  unreadable: (command: string) => string;
  /** A slash command whose request could not be read (its user id). */
  commandUnreadable: (command: string) => string;
  versionChanged: (was: number, now: number) => string;
  /** A button whose state names another flow (the app was switched to a different FAQ). */
  otherFlow: string;
  slackFailed: string;
  start: string;
  /** Label of the button that starts in this language (written in it), offered next to the other one. */
  startIn: string;
  startPrompt: string;
  helpTitle: string;
  help: (command: string) => string[];
  askStaff: string;
  handoffAsked: string;
  handoffTaken: (assignee: string) => string;
  handoffFailed: string;
  statsRefused: string;
}

const ja: UiText = {
  ...RESULT_WORDING.ja,
  back: "← 戻る",
  restart: "最初からやり直す",
  otherLanguage: "日本語",
  progress: (n, max) => `質問 ${n} / 最大 ${max}`,
  answersSoFar: "これまでの回答",
  previousAnswer: (label) => `前回の回答：${label}`,
  change: "変更",
  share: "チャンネルに共有",
  sharedBy: (user) => `<@${user}> さんがSSL証明書の移転についての相談結果を共有しました`,
  notOwner: (owner, command) =>
    `この相談は <@${owner}> さんのものなので、操作できません。ご自身の相談は \`${command}\` で始められます。`,
  stale: "このボタンは古い画面のものです。最新のメッセージからお進みください。",
  unreadable: (command) =>
    `このボタンは読み取れませんでした。\`${command}\` で新しく始めてください。 / This button could not be read; please start again with \`${command}\`.`,
  commandUnreadable: (command) =>
    `リクエストを読み取れませんでした。もう一度 \`${command}\` をお試しください。`,
  versionChanged: (was, now) =>
    `この相談を始めた後に、質問の内容が更新されました（v${was} → v${now}）。お手数ですが、最初からやり直してください。`,
  otherFlow:
    "このボタンは、現在ご案内している内容とは別の相談のものです。お手数ですが、最初からやり直してください。",
  slackFailed: "Slackへの送信に失敗しました。少し待ってから、もう一度お試しください。",
  start: "相談を始める",
  startIn: "日本語で始める",
  startPrompt: "下のボタンから、いつでも相談を始められます。",
  helpTitle: "SSL証明書の移転相談の使い方",
  help: (command) => [
    `• \`${command}\` — 日本語で相談を始めます（このチャンネルで、ご自身にのみ表示されます）`,
    `• \`${command} en\` — 英語で始めます`,
    `• \`${command} help\` — この説明を表示します`,
    "• ボットにメンションするか、ダイレクトメッセージを送っても始められます。アプリの「ホーム」タブにも開始ボタンがあります。",
    "• ボタンで質問にお答えいただくと、証明書を使えるかどうか、その条件・料金・次にすることをご案内します。結果はチャンネルに共有できます。",
  ],
  askStaff: "担当者に相談",
  handoffAsked: "🙋 担当者に相談内容を送りました。担当者が決まり次第、ここでお知らせします。",
  handoffTaken: (assignee) => `🧑‍💼 担当の <@${assignee}> が対応します。追ってご連絡します。`,
  handoffFailed: "担当者への連絡に失敗しました。少し待ってから、もう一度お試しください。",
  statsRefused: "申し訳ありませんが、統計はスタッフの方のみご覧いただけます。",
};

const en: UiText = {
  ...RESULT_WORDING.en,
  back: "← Back",
  restart: "Start over",
  otherLanguage: "English",
  progress: (n, max) => `Question ${n} of at most ${max}`,
  answersSoFar: "Your answers so far",
  previousAnswer: (label) => `Previous answer: ${label}`,
  change: "Change",
  share: "Share to channel",
  sharedBy: (user) => `<@${user}> shared the result of an SSL certificate migration consultation`,
  notOwner: (owner, command) =>
    `This consultation belongs to <@${owner}>, so you cannot answer it. Start your own with \`${command} en\`.`,
  stale: "That button is from an older screen; please continue from the latest message.",
  unreadable: ja.unreadable,
  commandUnreadable: (command) => `Your request could not be read; please try \`${command} en\` again.`,
  versionChanged: (was, now) =>
    `The questions were updated after this consultation started (v${was} → v${now}). Please start over.`,
  otherFlow:
    "This button belongs to a different consultation from the one this app now offers. Please start over.",
  slackFailed: "Could not send the message to Slack. Please wait a moment and try again.",
  start: "Start a consultation",
  startIn: "Start in English",
  startPrompt: "Use the button below to start a consultation at any time.",
  helpTitle: "How to use the SSL certificate migration assistant",
  help: (command) => [
    `• \`${command}\` — start in Japanese (shown only to you, in this channel)`,
    `• \`${command} en\` — start in English`,
    `• \`${command} help en\` — show this help (\`${command} help\`: in Japanese)`,
    "• You can also mention the bot or send it a direct message; the app's Home tab has a start button too.",
    "• Answer with the buttons to learn whether the certificate can be moved, on what conditions, for what fee, and what to do next. You can share the result to the channel.",
  ],
  askStaff: "Ask staff",
  handoffAsked:
    "🙋 Your consultation was sent to our staff. We will let you know here once someone takes it.",
  handoffTaken: (assignee) => `🧑‍💼 <@${assignee}> from our staff is on it and will get back to you.`,
  handoffFailed: "Could not reach our staff just now. Please wait a moment and try again.",
  statsRefused: "Sorry, the statistics are only available to staff members.",
};

export const UI: Record<Lang, UiText> = { ja, en };

export function otherLang(lang: Lang): Lang {
  return lang === "ja" ? "en" : "ja";
}
