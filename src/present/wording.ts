import type { Lang, OutcomeStep } from "../engine/types.ts";

/**
 * The words every surface uses around a result (headings, who to confirm
 * with, the outcome's sign), so the terminal and Slack say the same thing.
 * Flow content never lives here; each surface adds its own controls' words.
 */
export interface ResultWording {
  conditions: string;
  fee: string;
  notes: string;
  nextSteps: string;
  confirm: string;
  confirmWith: Record<OutcomeStep["confirm"][number]["with"], string>;
  answersGiven: string;
  sign: Record<OutcomeStep["sign"], string>;
}

const SIGN = { go: "✅", reissue: "🔁", check: "⚠️", stop: "⛔" } as const;

export const RESULT_WORDING: Record<Lang, ResultWording> = {
  ja: {
    conditions: "判断の根拠（FAQの該当箇所）",
    fee: "料金",
    notes: "ご注意",
    nextSteps: "次にすること",
    confirm: "確認していただくこと",
    confirmWith: { current_host: "現在のサーバー会社", new_host: "移転先のサーバー会社", us: "当社" },
    answersGiven: "ご回答",
    sign: SIGN,
  },
  en: {
    conditions: "Why (FAQ passages)",
    fee: "Fee",
    notes: "Please note",
    nextSteps: "Next steps",
    confirm: "What to check",
    confirmWith: { current_host: "your current host", new_host: "your new host", us: "us" },
    answersGiven: "Your answers",
    sign: SIGN,
  },
};
