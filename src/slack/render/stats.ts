import type { Lang } from "../../engine/index.ts";
import type { CompiledFlow } from "../../flow/loadFlow.ts";
import type { Stats } from "../../records/index.ts";
import {
  type Block,
  context,
  escapeMrkdwn,
  header,
  listSections,
  type SlackMessage,
  section,
} from "./blocks.ts";

const DAY_MS = 86_400_000;
/** Days shown in the per-day table (today included). */
export const STATS_DAYS = 14;

const WORDS = {
  ja: {
    title: "相談の統計（直近14日）",
    perDay: "日別（UTC、開始 / 結果まで）",
    outcomes: "結果の内訳",
    fees: "料金の内訳",
    dropOff: "質問ごとの離脱（表示 → 回答）",
    median: (s: string) => `結果までの時間（中央値）：${s}`,
    units: { s: "秒", min: "分", h: "時間" },
    none: "まだ記録がありません。",
    unavailable:
      "統計を読み込めませんでした（データベースに接続できません）。しばらくしてから、もう一度お試しください。",
  },
  en: {
    title: "Consultation statistics (last 14 days)",
    perDay: "Per day (UTC; started / reached a result)",
    outcomes: "Outcomes",
    fees: "Fees",
    dropOff: "Drop-off per question (reached → answered)",
    median: (s: string) => `Median time to an outcome: ${s}`,
    units: { s: " s", min: " min", h: " h" },
    none: "Nothing recorded yet.",
    unavailable: "Statistics could not be loaded (the database is unreachable). Please try again in a while.",
  },
} as const;

/** The first day of the window, UTC midnight, so the per-day table has exactly STATS_DAYS rows. */
export function statsSince(now: Date): Date {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return new Date(today - (STATS_DAYS - 1) * DAY_MS);
}

function duration(seconds: number | null, units: { s: string; min: string; h: string }): string {
  if (seconds === null) return "—";
  if (seconds < 90) return `${Math.round(seconds)}${units.s}`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)}${units.min}`;
  return `${(seconds / 3600).toFixed(1)}${units.h}`;
}

/**
 * Codes as staff read them: the flow's own label in the reader's language,
 * with the code after it (what reports and records use). A code the flow no
 * longer has (an older version's) shows as the code alone.
 */
function labelled(label: string | undefined, code: string): string {
  return label ? `${escapeMrkdwn(label)} \`${code}\`` : `\`${code}\``;
}

function labelsOf(compiled: CompiledFlow, lang: Lang) {
  const { flow } = compiled;
  return {
    route: (id: string) => flow.outcomes.find((o) => o.route === id)?.title[lang],
    fee: (code: string) => flow.fees[code]?.label[lang],
    question: (id: string) => flow.questions[compiled.questionIndex.get(id) ?? -1]?.text[lang],
    order: (id: string) => compiled.questionIndex.get(id) ?? flow.questions.length,
  };
}

/** The statistics as blocks (at most about 10: safe in a message and in App Home). */
export function statsBlocks(stats: Stats, compiled: CompiledFlow, lang: Lang, now: Date): Block[] {
  const w = WORDS[lang];
  const label = labelsOf(compiled, lang);
  const since = statsSince(now).getTime();
  const byDay = new Map(stats.perDay.map((d) => [d.day, d]));
  const days = Array.from({ length: STATS_DAYS }, (_, i) => {
    const day = new Date(since + i * DAY_MS).toISOString().slice(0, 10);
    const d = byDay.get(day);
    return `\`${day}\`  ${d?.started ?? 0} / ${d?.completed ?? 0}`;
  });
  const tally = (rows: { count: number }[], name: (r: never) => string) =>
    rows.length === 0 ? [w.none] : rows.map((r) => `• ${name(r as never)}: ${r.count}`);
  return [
    header(w.title),
    ...listSections(w.perDay, days, "stats_days"),
    ...listSections(
      w.outcomes,
      tally(stats.outcomes, (r: { route: string }) => labelled(label.route(r.route), r.route)),
      "stats_outcomes",
    ),
    ...listSections(
      w.fees,
      tally(stats.fees, (r: { fee: string }) => labelled(label.fee(r.fee), r.fee)),
      "stats_fees",
    ),
    ...listSections(
      w.dropOff,
      stats.dropOff.length === 0
        ? [w.none]
        : [...stats.dropOff]
            // In the order the flow asks them; questions it no longer has last.
            .sort((a, b) => label.order(a.question) - label.order(b.question))
            .map(
              (d) => `• ${labelled(label.question(d.question), d.question)}: ${d.reached} → ${d.answered}`,
            ),
      "stats_drop_off",
    ),
    context(w.median(duration(stats.medianSecondsToOutcome, w.units)), "stats_median"),
  ];
}

export function statsTitle(lang: Lang): string {
  return WORDS[lang].title;
}

export function renderStats(stats: Stats, compiled: CompiledFlow, lang: Lang, now: Date): SlackMessage {
  return { text: statsTitle(lang), blocks: statsBlocks(stats, compiled, lang, now) };
}

export function statsUnavailable(lang: Lang): Block {
  return section(WORDS[lang].unavailable, "stats_unavailable");
}
