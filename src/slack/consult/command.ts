import type { Lang } from "../../engine/index.ts";

export type CommandRequest = { kind: "start" | "help" | "stats"; lang: Lang; explicitLang: boolean };

const EN = new Set(["en", "english", "英語"]);
const JA = new Set(["ja", "jp", "japanese", "日本語"]);
const HELP = new Set(["help", "ヘルプ", "使い方", "?", "？"]);
const START = new Set(["start", "開始", "はじめる", "始める"]);
const STATS = new Set(["stats", "統計"]);

/**
 * Reads the words after the slash command or the mention:
 * "" → start in Japanese, "en" → start in English, "help" / "help en" → help.
 * Other words show the help for a slash command (a typo deserves an
 * explanation) but start for a mention, where people write a sentence.
 * "stats" (staff analytics) is a slash command word only.
 */
export function parseCommandText(text: unknown, otherWords: "help" | "start" = "help"): CommandRequest {
  // A request body can carry any type here (a repeated form field arrives as a list).
  const words = (typeof text === "string" ? text : "")
    // [^<>]: linear time; with [^>] a long text of unclosed "<@" took seconds (test/hostile).
    .replace(/<[@#!][^<>]*>/g, " ")
    .trim()
    .toLowerCase()
    .split(/[\s\u3000]+/)
    .filter(Boolean);
  let lang: Lang = "ja";
  let explicitLang = false;
  let help = false;
  let unknown = false;
  let stats = false;
  for (const word of words) {
    if (EN.has(word)) [lang, explicitLang] = ["en", true];
    else if (JA.has(word)) [lang, explicitLang] = ["ja", true];
    else if (HELP.has(word)) help = true;
    else if (STATS.has(word) && otherWords === "help") stats = true;
    else if (!START.has(word)) unknown = true;
  }
  if (stats && !help && !unknown) return { kind: "stats", lang, explicitLang };
  return { kind: help || (unknown && otherWords === "help") ? "help" : "start", lang, explicitLang };
}
