import { drawDiagram } from "../flow/drawDiagram.ts";
import { loadFlowFile } from "../flow/loadFlow.ts";
import { defaultFlowFile, projectRoot } from "../paths.ts";
import { formatPositionedError } from "../yaml/parseYaml.ts";
import { readArgs } from "./readArgs.ts";
import { writeOutput } from "./writeOutput.ts";

const HELP = `Writes a Mermaid flowchart of a flow (GitHub renders it).

Usage: npm run diagram -- [--flow FILE] [--out FILE]
  --flow FILE  default flows/ssl-migration.yaml
  --out FILE   default docs/flow.md ("-" prints it; missing folders are made)`;

const { values } = readArgs("diagram", HELP, {
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
    writeOutput("diagram", values.out ?? `${projectRoot}docs/flow.md`, drawDiagram(loaded.compiled));
  }
}
