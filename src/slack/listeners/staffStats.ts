import type { Lang } from "../../engine/index.ts";
import type { Deps } from "../deps.ts";
import { describeError } from "../log.ts";
import { withTimeout } from "../records.ts";
import type { Block, SlackMessage } from "../render/blocks.ts";
import { statsBlocks, statsSince, statsTitle, statsUnavailable } from "../render/stats.ts";

/** The last 14 days' statistics as blocks, or a line saying they cannot be read now. */
export async function staffStatsBlocks(deps: Deps, lang: Lang, now = new Date()): Promise<Block[]> {
  if (deps.records === undefined) return [statsUnavailable(lang)];
  const read = await withTimeout(deps.records.store.stats({ since: statsSince(now) }), 5_000);
  if (read.ok) return statsBlocks(read.value, deps.compiled, lang, now);
  deps.logger.warn("statistics could not be read", { error: describeError(read.error) });
  return [statsUnavailable(lang)];
}

export async function staffStats(deps: Deps, lang: Lang, now = new Date()): Promise<SlackMessage> {
  const blocks = await staffStatsBlocks(deps, lang, now);
  return { text: statsTitle(lang), blocks };
}
