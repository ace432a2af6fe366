import { loadFlowFile } from "../flow/loadFlow.ts";
import { defaultFlowFile } from "../paths.ts";
import { formatPositionedError } from "../yaml/parseYaml.ts";
import { readArgs } from "./readArgs.ts";

const HELP = `Checks flow files: schema, references, and every path (dead ends,
unreachable questions, outcomes never reached, results where a condition,
step or note cites none of its passages). Prints every error as
file:line:col path message.

Usage: npm run lint-flow -- [FILES...]   (default: flows/ssl-migration.yaml)`;

const { values, positionals } = readArgs("lint-flow", HELP, {
  allowPositionals: true,
  options: { help: { type: "boolean", short: "h" } },
});
if (values.help) process.stdout.write(`${HELP}\n`);
else {
  let failed = 0;
  for (const file of positionals.length > 0 ? positionals : [defaultFlowFile]) {
    const loaded = loadFlowFile(file);
    if (loaded.ok) {
      const { flow, tree } = loaded.compiled;
      const outcomes = tree.nodes.filter((n) => n.kind === "outcome").length;
      process.stdout.write(
        `${file}: ok — ${flow.id} v${flow.version}, ${flow.questions.length} questions, ${outcomes} paths\n`,
      );
    } else {
      failed++;
      for (const e of loaded.errors) process.stdout.write(`${formatPositionedError(e)}\n`);
    }
  }
  process.exitCode = failed > 0 ? 1 : 0;
}
