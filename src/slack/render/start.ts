import type { Lang } from "../../engine/index.ts";
import type { CompiledFlow } from "../../flow/loadFlow.ts";
import { otherLang, UI } from "../i18n.ts";
import { actionIds } from "../state/actionIds.ts";
import { encodeState, newConsultationId } from "../state/codec.ts";
import {
  actions,
  type Block,
  type ButtonElement,
  button,
  context,
  divider,
  escapeMrkdwn,
  header,
  type SlackMessage,
  section,
} from "./blocks.ts";

/**
 * The two start buttons: `start` in the preferred language, `start:<other>` in the other one.
 * Both carry one fresh consultation id: only one of them can start it.
 */
export function startButtons(compiled: CompiledFlow, owner: string, lang: Lang): ButtonElement[] {
  const id = newConsultationId();
  const valueFor = (l: Lang) =>
    encodeState({
      consultation: { flowId: compiled.flow.id, version: compiled.flow.version, lang: l, answers: [] },
      owner,
      id,
      seq: 0,
    });
  const other = otherLang(lang);
  return [
    button(UI[lang].start, actionIds.start(), valueFor(lang), "primary"),
    button(UI[other].startIn, actionIds.start(other), valueFor(other)),
  ];
}

function intro(compiled: CompiledFlow, lang: Lang, withTitle = true): string {
  const { title, description } = compiled.flow;
  return [
    withTitle ? `*${escapeMrkdwn(title[lang])}*` : "",
    description ? escapeMrkdwn(description[lang]) : "",
  ]
    .filter(Boolean)
    .join("\n");
}

/** What a direct message to the bot gets: what it does, and a button to start. */
export function renderStartOffer(compiled: CompiledFlow, owner: string, lang: Lang): SlackMessage {
  return {
    // The notification's text is mrkdwn too: a flow title with "<" or "&" must not become markup.
    text: escapeMrkdwn(compiled.flow.title[lang]),
    blocks: [
      section(intro(compiled, lang), "intro"),
      context(escapeMrkdwn(UI[lang].startPrompt), "prompt"),
      actions("start", startButtons(compiled, owner, lang)),
    ],
  };
}

/** `/ssl-move help`: how to use the bot, in the asked language, with the start buttons. */
export function renderHelp(compiled: CompiledFlow, owner: string, command: string, lang: Lang): SlackMessage {
  const ui = UI[lang];
  return {
    text: ui.helpTitle,
    blocks: [
      section(`*${ui.helpTitle}*\n${ui.help(command).join("\n")}`, "help"),
      section(intro(compiled, lang), "intro"),
      actions("start", startButtons(compiled, owner, lang)),
    ],
  };
}

/** The App Home tab: Japanese first, English second (the preferred language leads the buttons). */
export function renderHome(
  compiled: CompiledFlow,
  owner: string,
  command: string,
  lang: Lang,
): { type: "home"; blocks: Block[] } {
  // Both languages, the reader's first.
  const order: Lang[] = lang === "en" ? ["en", "ja"] : ["ja", "en"];
  return {
    type: "home",
    blocks: [
      header(compiled.flow.title[lang]),
      ...order.flatMap((l) => {
        // The header already gives the first language's title; a flow without a
        // description then has no intro, and Slack refuses an empty section.
        const text = intro(compiled, l, l !== lang);
        return [
          ...(text ? [section(text, `intro_${l}`)] : []),
          section(`*${UI[l].helpTitle}*\n${UI[l].help(command).join("\n")}`, `help_${l}`),
        ];
      }),
      divider(),
      context(escapeMrkdwn(UI[lang].startPrompt), "prompt"),
      actions("start", startButtons(compiled, owner, lang)),
    ],
  };
}
