import { drawDiagram } from "../flow/drawDiagram.ts";
import { loadFlowFile } from "../flow/loadFlow.ts";
import { defaultFlowFile, projectRoot } from "../paths.ts";
import { writeFileMakingDirs } from "../util/writeFileMakingDirs.ts";
import { formatPositionedError } from "../yaml/parseYaml.ts";
import { readArgs } from "./readArgs.ts";

const HELP = `Writes a Mermaid flowchart of a flow (GitHub renders it).

Usage: npm run diagram -- [--flow FILE] [--out FILE]
  --flow FILE  default flows/ssl-migration.yaml
  --out FILE   default docs/flow.md ("-" prints it)`;

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
    const text = drawDiagram(loaded.compiled);
    const out = values.out ?? `${projectRoot}docs/flow.md`;
    if (out === "-") process.stdout.write(text);
    else {
      try {
        writeFileMakingDirs(out, text);
        process.stdout.write(`wrote ${out}\n`);
      } catch (error) {
        process.stderr.write(`diagram: cannot write ${out}: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    }
  }
}
