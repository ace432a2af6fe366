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
import { askStaff, redrawWithHandoffStatus, takeHandoff } from "../../handoff.ts";
import { UI } from "../../i18n.ts";
import { describeError } from "../../log.ts";
import { RecentKeys } from "../../recent.ts";
import { claimDelivery, recordLater, recordNow } from "../../records.ts";
import { renderNotice } from "../../render/notice.ts";
import { ACTION_PATTERN, actionIds } from "../../state/actionIds.ts";
import { decodeState, slackIdOrUndefined } from "../../state/codec.ts";

/** What a click needs after the ack: a few fields, not the whole payload. */
interface ClickInput {
  surface: ClickSurface;
  /** Where and when, and which action (`place.actionId`). */
  place: ClickPlace;
  /** The button's value: the consultation state it carries. */
  value: string | undefined;
  responseUrl: string | undefined;
}

/** Two presses of one App Home button closer than this are one press. */
const VIEW_DOUBLE_PRESS_MS = 5_000;

/**
 * Every button of the app goes through this one listener (each registered
 * listener costs every event ~20µs in Bolt), which acks first and then
 * redraws the message from the state the button carries.
 */
export function register(app: App, deps: Deps): void {
  const viewPresses = new RecentKeys(VIEW_DOUBLE_PRESS_MS);
  app.action<BlockAction<ButtonAction>>(ACTION_PATTERN, async ({ ack, body, action, client }) => {
    await ack();
    // Only buttons are drawn; anything else matching the pattern is not ours.
    if (body.type !== "block_actions" || action.type !== "button") return;
    const click = readClick(body, action);
    // Not awaited: Bolt holds the request, its parsed payload and the listener
    // arguments until the listener returns. Kept over a redraw (tens of ms at
    // load), all of it outlived young-generation GCs and was copied to the old
    // generation; the redraw keeps only `click`. InFlight lets shutdown wait.
    void deps.inflight.run(async () => {
      // Let the ack leave and other waiting requests be read before the redraw work:
      // under load this batches socket writes and roughly doubles clicks per second.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        await handleClick(deps, click, client, viewPresses);
      } catch (error) {
        // handleClick answers its own failures; this is the last resort (Bolt's error handler no longer sees it).
        deps.logger.error("click failed", { action: click.place.actionId, error: describeError(error) });
      }
    });
  });
}

function readClick(body: BlockAction, action: ButtonAction): ClickInput {
  const surface = surfaceOf(body);
  const team = body.team?.id;
  const userTeam = body.user.team_id;
  return {
    surface,
    place: {
      // Only Slack ids reach the records (a wrongly typed one would make every write of the batch
      // fail; 100 KB of text would be a workspace in every report).
      workspace: slackIdOrUndefined(team) ?? slackIdOrUndefined(userTeam) ?? "unknown",
      channel: surface.channel ?? surface.user,
      at: new Date(),
      actionId: action.action_id,
    },
    value: action.value,
    responseUrl: body.response_url || undefined,
  };
}

async function handleClick(
  deps: Deps,
  click: ClickInput,
  client: webApi.WebClient,
  viewPresses: RecentKeys,
): Promise<void> {
  const { surface, place, value, responseUrl } = click;
  const { actionId } = place;
  const io: SlackIO = {
    client,
    logger: deps.logger,
    ...(responseUrl ? { respond: deps.respondTo(responseUrl) } : {}),
    context: {
      action: actionId,
      user: surface.user,
      channel: surface.channel,
      ts: surface.messageTs,
    },
  };
  try {
    if (actionId === actionIds.take) {
      // A value that is not text (a list, an object) names no handoff: not found, like any other.
      await takeHandoff(deps, io, surface, place, typeof value === "string" ? value : "");
      return;
    }
    const decision = decideClick(
      deps.compiled,
      { actionId, value, user: surface.user },
      { command: deps.command, staff: deps.staff.channel !== undefined && deps.records !== undefined },
    );
    if (decision.kind === "notice") {
      deps.logger.debug("click refused", { ...io.context, reason: decision.reason });
      await sendNotice(io, surface, decision.message);
      return;
    }
    // A button in App Home has no message to redraw: a double press would open two DMs.
    if (surface.inView) {
      const key = `${surface.user}:${actionId}:${value}`;
      if (!viewPresses.firstTime(key)) return;
      // The second press may reach another instance: the records know.
      const claim = { key: `home:${key}`, user: surface.user, windowMs: VIEW_DOUBLE_PRESS_MS };
      if (!(await claimDelivery(deps.records, claim, deps.logger))) return;
    }
    const events = clickEvents(deps.compiled, decision, place);
    if (decision.kind === "share") {
      // A double click on "share" would post two copies; one is enough.
      if (!deps.recent.firstTime(`share:${surface.user}:${surface.messageTs}:${value}`)) return;
      // Recorded only once it is in the channel: the report's `shared` means it was.
      if (await shareToChannel(io, surface, decision.message)) recordLater(deps.records, events);
      else await tellFailure(io, surface, value);
      return;
    }
    if (decision.kind === "ask_staff") {
      await askStaff(deps, io, surface, place, decision, events, responseUrl);
      return;
    }
    // A result is shown only once its "completed" record is written (or queued if the database is down).
    // The handoff status lookup (results that offer one only) runs beside the write-through.
    const redraw = redrawWithHandoffStatus(deps, decision)?.catch((error: unknown) => {
      deps.logger.warn("handoff status not shown", { ...io.context, error: describeError(error) });
      return undefined;
    });
    if (events.some((e) => e.kind === "completed")) await recordNow(deps.records, events, deps.logger);
    else recordLater(deps.records, events);
    const message = (redraw && (await redraw)) ?? decision.message;
    if (!(await replaceMessage(io, surface, message))) await tellFailure(io, surface, value);
  } catch (error) {
    // The engine and renderers are pure and should not throw; if they do, the user still hears back.
    deps.logger.error("click failed", { ...io.context, error: describeError(error) });
    await tellFailure(io, surface, value);
  }
}

export async function tellFailure(io: SlackIO, surface: ClickSurface, value: string | undefined) {
  const lang = decodeState(value)?.consultation.lang ?? "ja";
  await sendNotice(io, surface, renderNotice(UI[lang].slackFailed));
}
