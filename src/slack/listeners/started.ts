import { type Lang, startConsultation } from "../../engine/index.ts";
import type { ConsultationEvent } from "../../records/index.ts";
import { startedEvent } from "../consult/events.ts";
import type { Deps } from "../deps.ts";
import { recordLater, writeFirst } from "../records.ts";

interface Start {
  id: string;
  owner: string;
  lang: Lang;
  workspace: string;
  channel: string;
}

/** The "started" event of a consultation opened by a command or a mention (its first screen is seq 1). */
function startedOf(deps: Deps, o: Start): ConsultationEvent {
  const { consultation, step } = startConsultation(deps.compiled, o.lang);
  const state = { consultation, owner: o.owner, id: o.id, seq: 1 };
  return startedEvent(state, step, {
    workspace: o.workspace,
    channel: o.channel,
    at: new Date(),
    actionId: "",
  });
}

/** Records the start, queued. */
export function recordStart(deps: Deps, o: Start): void {
  if (deps.records !== undefined) recordLater(deps.records, [startedOf(deps, o)]);
}

/**
 * Records the start of a consultation whose id comes from a Slack event id,
 * written through: false when the store already had it (the same event,
 * delivered again, answered by another instance or before a restart). Without
 * records, or when the database does not answer in time, it says true: a
 * second answer is better than none.
 */
export async function claimStart(deps: Deps, o: Start): Promise<boolean> {
  if (deps.records === undefined) return true;
  return (await writeFirst(deps.records, startedOf(deps, o), deps.logger)) !== "already";
}
