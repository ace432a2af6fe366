import type { App } from "@slack/bolt";
import { parseCommandText } from "../../consult/command.ts";
import { openingMessage } from "../../consult/opening.ts";
import { answerCommand, attempt } from "../../deliver.ts";
import type { Deps } from "../../deps.ts";
import { UI } from "../../i18n.ts";
import { renderNotice } from "../../render/notice.ts";
import { isSlackId, newConsultationId, slackIdOrUndefined } from "../../state/codec.ts";
import { staffStats } from "../staffStats.ts";
import { recordStart } from "../started.ts";

/**
 * `/ssl-move` (Japanese), `/ssl-move en`, `/ssl-move help`, and for staff
 * `/ssl-move stats`. The consultation is ephemeral: only the person who typed
 * the command sees it.
 */
export function register(app: App, deps: Deps): void {
  app.command(deps.command, async ({ ack, command, client }) => {
    await ack();
    await deps.inflight.run(async () => {
      const request = parseCommandText(command.text, "help");
      const respond = deps.respondTo(command.response_url);
      const io = {
        client,
        respond,
        logger: deps.logger,
        // Ids only: these fields can hold anything (100 KB of text), and every failure logs the context.
        context: {
          command: deps.command,
          user: slackIdOrUndefined(command.user_id),
          channel: slackIdOrUndefined(command.channel_id),
        },
      };
      // No owner to draw buttons for (lower case, too long, missing, or a repeated field's list):
      // the person still hears back instead of nothing.
      if (!isSlackId(command.user_id)) {
        deps.logger.warn("slash command without a readable user_id", { command: deps.command });
        await attempt(io, "respond(unreadable)", () =>
          respond({
            response_type: "ephemeral",
            ...renderNotice(UI[request.lang].commandUnreadable(deps.command)),
          }),
        );
        return;
      }
      // Where the answer goes should its response_url be refused.
      const where = { user: command.user_id, channel: slackIdOrUndefined(command.channel_id) };
      if (request.kind === "stats") {
        const message = deps.staff.users.has(command.user_id)
          ? await staffStats(deps, request.lang)
          : renderNotice(UI[request.lang].statsRefused);
        await answerCommand(io, "respond(stats)", where, message);
        return;
      }
      const id = newConsultationId();
      const message = openingMessage(deps.compiled, request, command.user_id, deps.command, id);
      const shown = await answerCommand(io, "respond(command)", where, message);
      // A consultation nobody saw did not start.
      if (shown && request.kind === "start")
        recordStart(deps, {
          id,
          owner: command.user_id,
          lang: request.lang,
          workspace: command.team_id,
          channel: command.channel_id,
        });
    });
  });
}
