import { type Lang, startConsultation } from "../../engine/index.ts";
import { startedEvent } from "../consult/events.ts";
import type { Deps } from "../deps.ts";
import { recordLater } from "../records.ts";

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
