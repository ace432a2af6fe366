import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { drawDiagram } from "../flow/drawDiagram.ts";
import { loadFlowFile } from "../flow/loadFlow.ts";
import { defaultFlowFile, projectRoot } from "../paths.ts";
import { formatPositionedError } from "../yaml/parseYaml.ts";

const HELP = `Writes a Mermaid flowchart of a flow (GitHub renders it).

Usage: npm run diagram -- [--flow FILE] [--out FILE]
  --flow FILE  default flows/ssl-migration.yaml
  --out FILE   default docs/flow.md ("-" prints it)`;

const { values } = parseArgs({
  options: { flow: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
} else {
  const loaded = loadFlowFile(values.flow ?? defaultFlowFile);
  if (!loaded.ok) {
    for (const e of loaded.errors) process.stderr.write(`${formatPositionedError(e)}\n`);
    process.exitCode = 1;
  } else {
    const text = drawDiagram(loaded.compiled);
    const out = values.out ?? `${projectRoot}docs/flow.md`;
    if (out === "-") process.stdout.write(text);
    else {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, text);
      process.stdout.write(`wrote ${out}\n`);
    }
  }
}
