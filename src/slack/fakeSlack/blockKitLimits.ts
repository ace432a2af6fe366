/**
 * Block Kit limits as Slack enforces them (docs.slack.dev/reference/block-kit).
 * The fake Slack rejects a message that breaks one, as Slack would with
 * `invalid_blocks`, so every end-to-end test checks them on the way.
 */
export const BLOCK_KIT_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  blockId: 255,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  messageText: 40_000,
} as const;

type Json = Record<string, unknown>;

const length = (s: unknown) => (typeof s === "string" ? [...s].length : 0);

/** Every problem with a list of blocks; empty when Slack would accept it. */
export function checkBlocks(blocks: unknown, where: "message" | "view" = "message"): string[] {
  const problems: string[] = [];
  if (blocks === undefined) return problems;
  if (!Array.isArray(blocks)) return ["blocks is not an array"];
  const max = where === "view" ? BLOCK_KIT_LIMITS.viewBlocks : BLOCK_KIT_LIMITS.messageBlocks;
  if (blocks.length > max) problems.push(`${blocks.length} blocks (at most ${max})`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  blocks.forEach((raw, i) => {
    const block = raw as Json;
    const at = `blocks[${i}] (${String(block.type)})`;
    if (typeof block.block_id === "string") {
      if (length(block.block_id) > BLOCK_KIT_LIMITS.blockId) problems.push(`${at}: block_id too long`);
      if (blockIds.has(block.block_id)) problems.push(`${at}: duplicate block_id ${block.block_id}`);
      blockIds.add(block.block_id);
    }
    const text = (t: unknown, max: number, what: string) => {
      const obj = t as Json | undefined;
      if (!obj || typeof obj.text !== "string" || obj.text.length === 0)
        problems.push(`${at}: ${what} is empty`);
      else if (length(obj.text) > max)
        problems.push(`${at}: ${what} has ${length(obj.text)} characters (at most ${max})`);
    };
    const element = (raw: unknown, where: string) => {
      const el = raw as Json;
      if (el.type !== "button") return;
      text(el.text, BLOCK_KIT_LIMITS.buttonText, `${where} button text`);
      if (length(el.value) > BLOCK_KIT_LIMITS.buttonValue)
        problems.push(
          `${at}: ${where} button value has ${length(el.value)} characters (at most ${BLOCK_KIT_LIMITS.buttonValue})`,
        );
      const id = el.action_id;
      if (typeof id === "string") {
        if (length(id) > BLOCK_KIT_LIMITS.actionId) problems.push(`${at}: action_id too long`);
        if (actionIds.has(id)) problems.push(`${at}: duplicate action_id ${id}`);
        actionIds.add(id);
      }
    };
    switch (block.type) {
      case "section":
        if (block.text !== undefined || block.fields === undefined)
          text(block.text, BLOCK_KIT_LIMITS.sectionText, "text");
        if (Array.isArray(block.fields)) {
          if (block.fields.length > BLOCK_KIT_LIMITS.sectionFields) problems.push(`${at}: too many fields`);
          for (const f of block.fields) text(f, BLOCK_KIT_LIMITS.fieldText, "field");
        }
        if (block.accessory !== undefined) element(block.accessory, "accessory");
        break;
      case "header":
        text(block.text, BLOCK_KIT_LIMITS.headerText, "header text");
        break;
      case "context": {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > BLOCK_KIT_LIMITS.contextElements)
          problems.push(`${at}: ${elements.length} elements (1 to ${BLOCK_KIT_LIMITS.contextElements})`);
        for (const e of elements)
          if ((e as Json).type !== "image") text(e, BLOCK_KIT_LIMITS.contextText, "element");
        break;
      }
      case "actions": {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > BLOCK_KIT_LIMITS.actionsElements)
          problems.push(`${at}: ${elements.length} elements (1 to ${BLOCK_KIT_LIMITS.actionsElements})`);
        for (const [j, e] of elements.entries()) element(e, `element ${j}`);
        break;
      }
      case "divider":
        break;
      default:
        problems.push(`${at}: block type not checked by the fake`);
    }
  });
  return problems;
}

/** The checks for a whole message body (chat.postMessage, chat.update, response_url…). */
export function checkMessage(body: { text?: unknown; blocks?: unknown }): string[] {
  const problems = checkBlocks(body.blocks);
  if (body.blocks === undefined && (typeof body.text !== "string" || body.text === ""))
    problems.push("no text and no blocks");
  if (length(body.text) > BLOCK_KIT_LIMITS.messageText) problems.push("text too long");
  return problems;
}
