import type { Logger, webApi } from "@slack/bolt";
import type { Lang } from "../engine/index.ts";
import type { CompiledFlow } from "../flow/loadFlow.ts";
import type { InFlight } from "./inflight.ts";
import { describeError } from "./log.ts";
import type { RecentKeys } from "./recent.ts";
import type { AppRecords } from "./records.ts";
import type { Responders } from "./responseUrl.ts";

/** Who staff are and where handoffs go. */
export interface StaffSettings {
  /** Handoffs are offered only when this is set. */
  channel?: string;
  /** May run `/ssl-move stats` and see the staff section in App Home. */
  users: ReadonlySet<string>;
}

/** What every listener needs; built once in app.ts. */
export interface Deps {
  compiled: CompiledFlow;
  /** The slash command as configured, e.g. "/ssl-move" (shown in help and notices). */
  command: string;
  logger: Logger;
  inflight: InFlight;
  /** Redelivered events and repeated share clicks. */
  recent: RecentKeys;
  /** Consultation records; the app works without them (tests, tools). */
  records?: AppRecords;
  staff: StaffSettings;
  /** Respond functions for response_urls, on Slack's hosts only (see responders). */
  respondTo: Responders;
}

/**
 * The user's Slack language when we have nothing better: English for an
 * English locale, Japanese otherwise (Japanese is the first language).
 */
export async function preferredLang(client: webApi.WebClient, user: string, logger: Logger): Promise<Lang> {
  try {
    const info = await client.users.info({ user, include_locale: true });
    return info.user?.locale?.toLowerCase().startsWith("en") ? "en" : "ja";
  } catch (error) {
    logger.warn("users.info failed; using Japanese", { user, error: describeError(error) });
    return "ja";
  }
}
