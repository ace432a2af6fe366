import type { Lang, OutcomeStep } from "../engine/types.ts";

/** Interface wording shared by the text surfaces; flow content never lives here. */
export const WORDING = {
  ja: {
    conditions: "適用される条件",
    fee: "料金",
    steps: "次にすること",
    notes: "ご参考",
    confirm: "確認が必要なこと",
    answers: "ご回答",
    confirmWith: { current_host: "現在のサーバー会社", new_host: "移転先のサーバー会社", us: "当社" },
    sign: {
      go: "✅ 移転できます",
      reissue: "🔁 再発行で移転できます",
      check: "⚠️ 確認が必要です",
      stop: "⛔ 移転できません",
    },
    progress: (n: number, max: number) => `質問 ${n}（残り最大 ${max} 問）`,
  },
  en: {
    conditions: "Conditions that apply",
    fee: "Fee",
    steps: "Next steps",
    notes: "Good to know",
    confirm: "What to confirm",
    answers: "Your answers",
    confirmWith: { current_host: "your current host", new_host: "your new host", us: "us" },
    sign: {
      go: "✅ Can move",
      reissue: "🔁 Move with a reissue",
      check: "⚠️ Check first",
      stop: "⛔ Cannot move",
    },
    progress: (n: number, max: number) => `Question ${n} (at most ${max} to go)`,
  },
} as const satisfies Record<Lang, unknown>;

export function signLabel(sign: OutcomeStep["sign"], lang: Lang): string {
  return WORDING[lang].sign[sign];
}
