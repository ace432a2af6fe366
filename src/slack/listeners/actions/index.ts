import type { App, BlockAction, ButtonAction, webApi } from "@slack/bolt";
import { decideClick } from "../../consult/click.ts";
import { type ClickPlace, clickEvents } from "../../consult/events.ts";
import {
  type ClickSurface,
  replaceMessage,
  type SlackIO,
  sendNotice,
  shareToChannel,
  surfaceOf,
} from "../../deliver.ts";
import type { Deps } from "../../deps.ts";
import { askStaff, takeHandoff } from "../../handoff.ts";
import { UI } from "../../i18n.ts";
import { describeError } from "../../log.ts";
import { recordLater, recordNow } from "../../records.ts";
import { renderNotice } from "../../render/notice.ts";
import { type Respond, responder } from "../../responseUrl.ts";
import { ACTION_PATTERN, actionIds } from "../../state/actionIds.ts";
import { decodeState } from "../../state/codec.ts";

/**
 * Every button of the app goes through this one listener (each registered
 * listener costs every event ~20µs in Bolt), which acks first and then
 * redraws the message from the state the button carries.
 */
export function register(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(ACTION_PATTERN, async ({ ack, body, action, client }) => {
    await ack();
    // Only buttons are drawn; anything else matching the pattern is not ours.
    if (body.type !== "block_actions" || action.type !== "button") return;
    const respond = body.response_url ? responder(body.response_url) : undefined;
    await deps.inflight.run(async () => {
      // Let the ack leave and other waiting requests be read before the redraw work:
      // under load this batches socket writes and roughly doubles clicks per second.
      await new Promise((resolve) => setImmediate(resolve));
      await handleClick(deps, body, action, client, respond);
    });
  });
}

async function handleClick(
  deps: Deps,
  body: BlockAction,
  action: ButtonAction,
  client: webApi.WebClient,
  respond: Respond | undefined,
): Promise<void> {
  const surface = surfaceOf(body);
  const io: SlackIO = {
    client,
    logger: deps.logger,
    ...(respond ? { respond } : {}),
    context: {
      action: action.action_id,
      user: surface.user,
      channel: surface.channel,
      ts: surface.messageTs,
    },
  };
  const place: ClickPlace = {
    // Only strings reach the records (a wrongly typed id would make every write of the batch fail).
    workspace: [body.team?.id, body.user.team_id].find((id) => typeof id === "string") ?? "unknown",
    channel: surface.channel ?? surface.user,
    at: new Date(),
    actionId: action.action_id,
  };
  try {
    if (action.action_id === actionIds.take) {
      await takeHandoff(deps, io, surface, place, action.value ?? "");
      return;
    }
    const decision = decideClick(
      deps.compiled,
      { actionId: action.action_id, value: action.value, user: surface.user },
      { command: deps.command, staff: deps.staff.channel !== undefined && deps.records !== undefined },
    );
    if (decision.kind === "notice") {
      deps.logger.debug("click refused", { ...io.context, reason: decision.reason });
      await sendNotice(io, surface, decision.message);
      return;
    }
    const events = clickEvents(deps.compiled, decision, place);
    if (decision.kind === "share") {
      recordLater(deps.records, events);
      // A double click on "share" would post two copies; one is enough.
      if (!deps.recent.firstTime(`share:${surface.user}:${surface.messageTs}:${action.value}`)) return;
      if (!(await shareToChannel(io, surface, decision.message)))
        await tellFailure(io, surface, action.value);
      return;
    }
    if (decision.kind === "ask_staff") {
      await askStaff(deps, io, surface, place, decision, events, body.response_url);
      return;
    }
    // A result is shown only once its "completed" record is written (or queued if the database is down).
    if (events.some((e) => e.kind === "completed")) await recordNow(deps.records, events, deps.logger);
    else recordLater(deps.records, events);
    if (!(await replaceMessage(io, surface, decision.message))) await tellFailure(io, surface, action.value);
  } catch (error) {
    // The engine and renderers are pure and should not throw; if they do, the user still hears back.
    deps.logger.error("click failed", { ...io.context, error: describeError(error) });
    await tellFailure(io, surface, action.value);
  }
}

export async function tellFailure(io: SlackIO, surface: ClickSurface, value: string | undefined) {
  const lang = decodeState(value)?.consultation.lang ?? "ja";
  await sendNotice(io, surface, renderNotice(UI[lang].slackFailed));
}
