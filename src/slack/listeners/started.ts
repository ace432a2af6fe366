import { type Lang, startConsultation } from "../../engine/index.ts";
import { startedEvent } from "../consult/events.ts";
import type { Deps } from "../deps.ts";
import { recordLater, writeFirst } from "../records.ts";

/** Records the start of a consultation opened by a command or a mention (its first screen is seq 1). */
export function recordStart(
  deps: Deps,
  o: { id: string; owner: string; lang: Lang; workspace: string; channel: string },
): void {
  if (deps.records === undefined) return;
  const { consultation, step } = startConsultation(deps.compiled, o.lang);
  const state = { consultation, owner: o.owner, id: o.id, seq: 1 };
  recordLater(deps.records, [
    startedEvent(state, step, { workspace: o.workspace, channel: o.channel, at: new Date(), actionId: "" }),
  ]);
}

/**
 * Records the start of a consultation whose id comes from a Slack event id,
 * written through: false when the store already had it (the same event,
 * delivered again, answered by another instance or before a restart). Without
 * records, or when the database does not answer in time, it says true: a
 * second answer is better than none.
 */
export async function claimStart(
  deps: Deps,
  o: { id: string; owner: string; lang: Lang; workspace: string; channel: string },
): Promise<boolean> {
  if (deps.records === undefined) return true;
  const { consultation, step } = startConsultation(deps.compiled, o.lang);
  const state = { consultation, owner: o.owner, id: o.id, seq: 1 };
  const event = startedEvent(state, step, {
    workspace: o.workspace,
    channel: o.channel,
    at: new Date(),
    actionId: "",
  });
  return (await writeFirst(deps.records, event, deps.logger)) !== "already";
}
