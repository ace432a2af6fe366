import { type Document, isNode, LineCounter, parseDocument } from "yaml";

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

export type ParsedYaml =
  | { ok: true; data: unknown; locate: (path: IssuePath, message: string) => PositionedError }
  | { ok: false; errors: PositionedError[] };

/**
 * Parses YAML (and so JSON) keeping positions, so that any later complaint
 * about a value can point at its line and column.
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate = locator(doc, lineCounter, file);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const at = lineCounter.linePos(e.pos[0]);
        return { file, line: at.line, col: at.col, path: "", message: e.message.split("\n")[0] ?? e.message };
      }),
    };
  }
  try {
    return { ok: true, data: doc.toJS({ maxAliasCount: 100 }), locate };
  } catch (error) {
    return { ok: false, errors: [locate([], `cannot read YAML: ${(error as Error).message}`)] };
  }
}

function locator(doc: Document, lineCounter: LineCounter, file: string) {
  return (path: IssuePath, message: string): PositionedError => {
    // Point at the deepest node that exists: a missing key is reported at its parent.
    let offset = 0;
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
