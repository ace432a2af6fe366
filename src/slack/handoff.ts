import { viewConsultation } from "../engine/index.ts";
import { type ConsultationEvent, eventId, type Handoff } from "../records/index.ts";
import type { ClickDecision } from "./consult/click.ts";
import type { ClickPlace } from "./consult/events.ts";
import { attempt, type ClickSurface, replaceMessage, type SlackIO, sendNotice } from "./deliver.ts";
import type { Deps } from "./deps.ts";
import { UI } from "./i18n.ts";
import { describeError } from "./log.ts";
import { recordLater, withTimeout } from "./records.ts";
import type { SlackMessage } from "./render/blocks.ts";
import { renderNotice } from "./render/notice.ts";
import { type HandoffStatus, offersHandoff, renderOutcome } from "./render/outcome.ts";
import {
  type CustomerPlace,
  handoffSummary,
  renderAlreadyTaken,
  renderStaffRequest,
  renderStaffTaken,
  renderTakeFailed,
} from "./render/staff.ts";
import { type ButtonState, decodeStoredState, encodeState } from "./state/codec.ts";

/** How long a handoff's database calls may take before the click gives up and says so. */
const STORE_TIMEOUT_MS = 5_000;

async function store<T>(call: Promise<T>): Promise<T> {
  const result = await withTimeout(call, STORE_TIMEOUT_MS);
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * "Ask staff" on a result card: record the handoff (its id comes from the
 * button, so a double click or a second instance finds the same one), redraw
 * the card as "sent to staff", and post the summary to the staff channel —
 * once: only the caller that claims the handoff posts it.
 */
export async function askStaff(
  deps: Deps,
  io: SlackIO,
  surface: ClickSurface,
  place: ClickPlace,
  decision: Extract<ClickDecision, { kind: "ask_staff" }>,
  events: ConsultationEvent[],
  responseUrl: string | undefined,
): Promise<void> {
  const { before, step } = decision;
  const ui = UI[before.consultation.lang];
  const staffChannel = deps.staff.channel;
  const records = deps.records;
  if (staffChannel === undefined || records === undefined) return;
  const customer: CustomerPlace = {
    workspace: place.workspace,
    user: before.owner,
    channel: place.channel,
    ephemeral: surface.ephemeral,
    ...(surface.messageTs ? { messageTs: surface.messageTs } : {}),
  };
  const id = handoffIdFor(before);
  let handoff: Handoff;
  try {
    handoff = await store(
      records.store.createHandoff({
        id,
        consultationId: before.id,
        workspace: place.workspace,
        channel: place.channel,
        user: before.owner,
        summary: handoffSummary(step, customer, before.consultation.lang),
        staffChannel,
        cardState: encodeState(before),
        // Ephemeral cards can only be changed through a response_url; DM cards by chat.update.
        ...(surface.ephemeral && responseUrl ? { responseUrl } : {}),
        ...(!surface.ephemeral && !surface.inView && surface.messageTs
          ? { customerMessageTs: surface.messageTs }
          : {}),
      }),
    );
  } catch (error) {
    deps.logger.error("handoff could not be recorded", { ...io.context, error: describeError(error) });
    await sendNotice(io, surface, renderNotice(ui.handoffFailed));
    return;
  }
  // Only the caller that claims the handoff posts it: a double click, or the
  // same click on another instance, finds it claimed and only redraws the card.
  let claim: string | null;
  try {
    claim = await store(records.store.claimHandoffPost(id));
  } catch (error) {
    deps.logger.error("handoff: claim failed", { ...io.context, error: describeError(error) });
    await sendNotice(io, surface, renderNotice(ui.handoffFailed));
    return;
  }
  if (claim !== null && !(await postToStaff(deps, io, staffChannel, handoff))) {
    // The card keeps its "Ask staff" button, and the next press posts it.
    await store(records.store.releaseHandoffPost(id, claim)).catch((error: unknown) =>
      deps.logger.warn("handoff: release failed", { ...io.context, error: describeError(error) }),
    );
    await sendNotice(io, surface, renderNotice(ui.handoffFailed));
    return;
  }
  // Recorded once, by the press that posted it: an older copy of the card
  // (another screen number) would otherwise record a second handed_off.
  if (claim !== null) recordLater(records, events);
  // Pressed on an older copy after staff took it: the card says who, not "sent".
  const status = statusOf(handoff);
  const message =
    status?.status === "taken"
      ? renderOutcome(step, before, { staff: true, handoff: status })
      : decision.message;
  if (!(await replaceMessage(io, surface, message)))
    deps.logger.warn("handoff: the customer's card could not be redrawn", io.context);
}

/**
 * One handoff per consultation and set of answers, not per screen: a result
 * redrawn (another language, back and forth) names the same handoff, so its
 * card can show it was sent and a second press finds it.
 */
function handoffIdFor(state: ButtonState): string {
  const answers = state.consultation.answers.map(([q, o]) => `${q}=${o}`).join(",");
  return `h_${eventId(state.id, answers, "handoff")}`;
}

/** Taken (by whom), sent (posted to staff), or neither (not posted yet, or no handoff). */
function statusOf(handoff: Handoff | null): HandoffStatus | undefined {
  if (handoff?.assignee) return { status: "taken", assignee: handoff.assignee };
  return handoff?.staffMessageTs ? { status: "asked" } : undefined;
}

/**
 * A result redrawn (another language, back and forth) after it was sent to
 * staff: the button state does not carry that, the records do. Undefined —
 * no lookup — unless the step is a result that offers a handoff, with staff
 * and records configured. The promise gives undefined when the card is to be
 * drawn as decided: never sent, or the records cannot say within a second
 * (the card then offers Ask staff, which is safe to press).
 */
export function redrawWithHandoffStatus(
  deps: Deps,
  decision: Extract<ClickDecision, { kind: "replace" }>,
): Promise<SlackMessage | undefined> | undefined {
  const step = decision.progressed?.step;
  const records = deps.records;
  if (step?.kind !== "outcome" || records === undefined || deps.staff.channel === undefined) return undefined;
  if (!offersHandoff(step)) return undefined;
  return withTimeout(records.store.getHandoff(handoffIdFor(decision.state)), 1_000).then((read) => {
    if (!read.ok) {
      deps.logger.warn("handoff: status not read", { error: describeError(read.error) });
      return undefined;
    }
    const handoff = statusOf(read.value);
    return handoff && renderOutcome(step, decision.state, { staff: true, handoff });
  });
}

async function postToStaff(
  deps: Deps,
  io: SlackIO,
  staffChannel: string,
  handoff: Handoff,
): Promise<boolean> {
  let ts: string | undefined;
  const posted = await attempt(io, "chat.postMessage(staff)", async () => {
    const answer = await io.client.chat.postMessage({
      channel: staffChannel,
      ...renderStaffRequest(handoff),
    });
    ts = answer.ts;
  });
  if (!posted || ts === undefined) return false;
  // Saving the ts ends the claim for good; left unsaved, the claim expires and
  // a press a minute later would post a second copy. So: a few tries.
  const postedTs = ts;
  const save = () => store(deps.records?.store.setHandoffMessage(handoff.id, postedTs) ?? Promise.resolve());
  let failure: unknown;
  for (const pauseMs of [0, 200, 400]) {
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    try {
      await save();
      return true;
    } catch (error) {
      failure = error;
    }
  }
  deps.logger.error(
    "handoff: posted, but its staff message ts was not saved; a press after a minute may post it again",
    {
      ...io.context,
      error: describeError(failure),
    },
  );
  return true;
}

/**
 * "Take it" on the staff message: the first presser becomes the assignee
 * (one conditional UPDATE, whichever instance serves them), the staff message
 * shows who, and the customer's card says staff are on it. Later pressers
 * hear who took it.
 */
export async function takeHandoff(
  deps: Deps,
  io: SlackIO,
  surface: ClickSurface,
  place: ClickPlace,
  handoffId: string,
): Promise<void> {
  const records = deps.records;
  if (records === undefined || handoffId === "") {
    await sendNotice(io, surface, renderAlreadyTaken(null));
    return;
  }
  let result: Awaited<ReturnType<typeof records.store.takeHandoff>>;
  try {
    result = await store(records.store.takeHandoff(handoffId, surface.user));
  } catch (error) {
    deps.logger.error("handoff: take failed", { ...io.context, error: describeError(error) });
    await sendNotice(io, surface, renderTakeFailed());
    return;
  }
  if (!result.ok) {
    await sendNotice(
      io,
      surface,
      renderAlreadyTaken(result.reason === "already_taken" ? result.handoff.assignee : null),
    );
    return;
  }
  const { handoff } = result;
  const assignee = handoff.assignee ?? surface.user;
  // The same person pressing twice: everything below is already done.
  if (!deps.recent.firstTime(`take:${handoffId}`)) return;
  const state = handoff.cardState ? decodeStoredState(handoff.cardState) : null;
  if (state !== null)
    recordLater(records, [
      {
        id: eventId(handoff.id, "taken"),
        consultationId: handoff.consultationId,
        kind: "taken",
        workspace: handoff.workspace,
        user: handoff.user,
        channel: handoff.channel,
        flowId: state.consultation.flowId,
        flowVersion: state.consultation.version,
        at: place.at,
        assignee,
      },
    ]);
  if (surface.channel && surface.messageTs) {
    const { channel, messageTs: ts } = surface;
    await attempt(io, "chat.update(staff)", () =>
      io.client.chat.update({ channel, ts, ...renderStaffTaken(handoff, assignee) }),
    );
  }
  await tellCustomer(deps, io, handoff, assignee);
}

/**
 * Redraws the customer's card with "<staff> is on it": chat.update for a DM
 * card; the stored response_url for an ephemeral one (it lasts 30 minutes and
 * 5 posts). When neither works, the customer gets a notice instead.
 */
async function tellCustomer(deps: Deps, io: SlackIO, handoff: Handoff, assignee: string): Promise<void> {
  const state = handoff.cardState ? decodeStoredState(handoff.cardState) : null;
  const lang = state?.consultation.lang ?? "ja";
  const ctx: SlackIO = { ...io, context: { ...io.context, handoff: handoff.id, customer: handoff.user } };
  if (state !== null) {
    const viewed = viewConsultation(deps.compiled, state.consultation);
    if (viewed.ok && viewed.value.step.kind === "outcome") {
      const card = renderOutcome(viewed.value.step, state, {
        staff: true,
        handoff: { status: "taken", assignee },
      });
      const { customerMessageTs: ts, responseUrl } = handoff;
      if (
        ts !== undefined &&
        (await attempt(ctx, "chat.update(customer)", () =>
          io.client.chat.update({ channel: handoff.channel, ts, ...card }),
        ))
      )
        return;
      if (
        responseUrl !== undefined &&
        (await attempt(ctx, "respond(customer)", () =>
          deps.respondTo(responseUrl)({ replace_original: true, ...card }),
        ))
      )
        return;
    }
  }
  const notice = renderNotice(UI[lang].handoffTaken(assignee));
  if (
    !handoff.channel.startsWith("D") &&
    (await attempt(ctx, "chat.postEphemeral(customer)", () =>
      io.client.chat.postEphemeral({ channel: handoff.channel, user: handoff.user, ...notice }),
    ))
  )
    return;
  await attempt(ctx, "chat.postMessage(customer DM)", () =>
    io.client.chat.postMessage({ channel: handoff.user, ...notice }),
  );
}
