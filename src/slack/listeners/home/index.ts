import type { App } from "@slack/bolt";
import { attempt, EVENT_RATE_LIMIT_WAIT_S } from "../../deliver.ts";
import { type Deps, preferredLang } from "../../deps.ts";
import { renderHome } from "../../render/start.ts";
import { isSlackId } from "../../state/codec.ts";
import { staffStatsBlocks } from "../staffStats.ts";

/** The App Home tab: what the bot does and a start button (the consultation then opens in the DM). */
export function register(app: App, deps: Deps): void {
  app.event("app_home_opened", async ({ event, client }) => {
    // Without a user id there is nobody to draw the tab (and its start button) for.
    if (event.tab !== "home" || !isSlackId(event.user)) return;
    await deps.inflight.run(async () => {
      const lang = await preferredLang(client, event.user, deps.logger);
      const view = renderHome(deps.compiled, event.user, deps.command, lang);
      // Staff also see the statistics (the same figures as `/ssl-move stats`).
      if (deps.staff.users.has(event.user)) view.blocks.push(...(await staffStatsBlocks(deps, lang)));
      const io = { client, logger: deps.logger, context: { event: "app_home_opened", user: event.user } };
      await attempt(io, "views.publish", () => client.views.publish({ user_id: event.user, view }), {
        waitOnRateLimitS: EVENT_RATE_LIMIT_WAIT_S,
      });
    });
  });
}
