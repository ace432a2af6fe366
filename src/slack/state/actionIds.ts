import type { Lang } from "../../engine/index.ts";

/**
 * Every button's action_id. `answer:<question>:<option>` is a public contract:
 * outside drivers click by it, and it is also the engine's event name.
 */
export type ParsedAction =
  | { kind: "answer"; question: string; option: string }
  | { kind: "back" }
  | { kind: "restart" }
  | { kind: "lang"; lang: Lang }
  | { kind: "change"; question: string }
  | { kind: "share" }
  | { kind: "start"; lang?: Lang }
  /** On a result card: hand the consultation to staff. */
  | { kind: "ask_staff" }
  /** On the staff channel's message: the value is the handoff id, not a consultation. */
  | { kind: "take" };

/** The one pattern the app's action listener is registered with. */
export const ACTION_PATTERN = /^(answer|nav|change|share|start|handoff)(:|$)/;

export const actionIds = {
  answer: (question: string, option: string) => `answer:${question}:${option}`,
  back: "nav:back",
  restart: "nav:restart",
  lang: (lang: Lang) => `nav:lang:${lang}`,
  change: (question: string) => `change:${question}`,
  share: "share",
  start: (lang?: Lang) => (lang ? `start:${lang}` : "start"),
  askStaff: "handoff:ask",
  take: "handoff:take",
} as const;

export function parseActionId(actionId: string): ParsedAction | null {
  const [head, a, b, ...rest] = actionId.split(":");
  if (rest.length > 0) return null;
  switch (head) {
    case "answer":
      return a && b ? { kind: "answer", question: a, option: b } : null;
    case "change":
      return a && b === undefined ? { kind: "change", question: a } : null;
    case "share":
      return a === undefined ? { kind: "share" } : null;
    case "start":
      if (a === undefined) return { kind: "start" };
      return (a === "ja" || a === "en") && b === undefined ? { kind: "start", lang: a } : null;
    case "handoff":
      if (b !== undefined) return null;
      return a === "ask" ? { kind: "ask_staff" } : a === "take" ? { kind: "take" } : null;
    case "nav":
      if (b === undefined && a === "back") return { kind: "back" };
      if (b === undefined && a === "restart") return { kind: "restart" };
      if (a === "lang" && (b === "ja" || b === "en")) return { kind: "lang", lang: b };
      return null;
    default:
      return null;
  }
}
