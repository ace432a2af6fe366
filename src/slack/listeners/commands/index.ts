import type { App } from "@slack/bolt";
import { parseCommandText } from "../../consult/command.ts";
import { openingMessage } from "../../consult/opening.ts";
import { attempt } from "../../deliver.ts";
import type { Deps } from "../../deps.ts";
import { responder } from "../../responseUrl.ts";

/**
 * `/ssl-move` (Japanese), `/ssl-move en`, `/ssl-move help`. The consultation
 * is ephemeral: only the person who typed the command sees it.
 */
export function register(app: App, deps: Deps): void {
  app.command(deps.command, async ({ ack, command, client }) => {
    await ack();
    await deps.inflight.run(async () => {
      const request = parseCommandText(command.text, "help");
      const message = openingMessage(deps.compiled, request, command.user_id, deps.command);
      const io = {
        client,
        logger: deps.logger,
        context: { command: deps.command, user: command.user_id, channel: command.channel_id },
      };
      const respond = responder(command.response_url);
      await attempt(io, "respond(command)", () => respond({ response_type: "ephemeral", ...message }));
    });
  });
}
