import { CORE_SCHEMA, load } from "js-yaml";
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from "yaml";

export type IssuePath = Array<string | number>;

/** An error pinned to a place in a file: printed as `file:line:col path message`. */
export interface PositionedError {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

export function formatPositionedError(e: PositionedError): string {
  return [`${e.file}:${e.line}:${e.col}`, e.path, e.message].filter((part) => part !== "").join(" ");
}

/** Whether an error is about a key's value (most) or the key itself (an unknown key). */
export type PointAt = "value" | "key";

export type ParsedYaml =
  | {
      ok: true;
      data: unknown;
      locate: (path: IssuePath, message: string, pointAt?: PointAt) => PositionedError;
    }
  | { ok: false; errors: PositionedError[] };

/**
 * Parses YAML (and so JSON) so that any later complaint about a value can
 * point at its line and column. js-yaml reads the data (about eight times
 * faster on large replay files); the position-keeping parser runs only when
 * something has to be located.
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  let document: { doc: Document; lineCounter: LineCounter } | undefined;
  const positioned = () => {
    if (!document) {
      const lineCounter = new LineCounter();
      const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
      document = { doc, lineCounter };
    }
    return document;
  };
  let data: unknown;
  try {
    data = load(text, { schema: CORE_SCHEMA, filename: file });
  } catch (error) {
    const { doc, lineCounter } = positioned();
    if (doc.errors.length > 0) {
      return {
        ok: false,
        errors: doc.errors.map((e) => {
          const at = lineCounter.linePos(e.pos[0]);
          return {
            file,
            line: at.line,
            col: at.col,
            path: "",
            message: e.message.split("\n")[0] ?? e.message,
          };
        }),
      };
    }
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    return {
      ok: false,
      errors: [
        { file, line: (mark?.line ?? 0) + 1, col: (mark?.column ?? 0) + 1, path: "", message: reason },
      ],
    };
  }
  const locate = (path: IssuePath, message: string, pointAt?: PointAt) => {
    const { doc, lineCounter } = positioned();
    return locator(doc, lineCounter, file)(path, message, pointAt);
  };
  return { ok: true, data, locate };
}

function locator(doc: Document, lineCounter: LineCounter, file: string) {
  return (path: IssuePath, message: string, pointAt: PointAt = "value"): PositionedError => {
    // Point at the deepest node that exists: a missing key is reported at its parent.
    let offset = 0;
    const keyNode = pointAt === "key" ? findKey(doc, path) : undefined;
    if (keyNode?.range) offset = keyNode.range[0];
    else
      for (let depth = path.length; depth >= 0; depth--) {
        let node: unknown;
        try {
          node = doc.getIn(path.slice(0, depth), true);
        } catch {
          node = undefined;
        }
        if (isNode(node) && node.range) {
          offset = node.range[0];
          break;
        }
      }
    const at = lineCounter.linePos(offset);
    return { file, line: at.line, col: at.col, path: path.join("."), message };
  };
}

/** The key node of the last path segment, for complaints about the key itself (e.g. a typo). */
function findKey(doc: Document, path: IssuePath) {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path.at(-1));
  return isScalar(pair?.key) ? pair.key : undefined;
}
