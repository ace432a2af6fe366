import type { Lang } from "../../engine/index.ts";
import { UI } from "../i18n.ts";
import { actionIds } from "../state/actionIds.ts";
import { type ButtonState, encodeState } from "../state/codec.ts";
import { actions, button, type SlackMessage, section } from "./blocks.ts";

/** A short message with no buttons (sent ephemerally to whoever clicked). */
export function renderNotice(text: string): SlackMessage {
  return { text, blocks: [section(text, "notice")] };
}

/** Replaces a consultation drawn with an older flow: say so, and offer to start over. */
export function renderVersionChanged(
  state: ButtonState,
  current: { id: string; version: number },
): SlackMessage {
  const { lang, version, flowId } = state.consultation;
  const ui = UI[lang];
  const text = flowId === current.id ? ui.versionChanged(version, current.version) : ui.otherFlow;
  return {
    text,
    blocks: [
      section(`⚠️ ${text}`, "notice"),
      actions("nav", [button(ui.restart, actionIds.restart, encodeState(state), "primary")]),
    ],
  };
}

export function noticeText(lang: Lang, kind: "stale" | "slackFailed"): string {
  return UI[lang][kind];
}
