import type { OutcomeStep } from "../engine/types.ts";

/** `route: reissue · installer: self · fee: reissue_admin` — staff and outside drivers read this line. */
export function machineLine(step: OutcomeStep): string {
  return `route: ${step.route} · installer: ${step.installer ?? "-"} · fee: ${step.fee.code}`;
}
