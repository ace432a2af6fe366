import { fileURLToPath } from "node:url";
import { flowJsonSchema } from "../flow/flowJsonSchema.ts";
import { readArgs } from "./readArgs.ts";
import { writeOutput } from "./writeOutput.ts";

const HELP = `Regenerates schema/flow.schema.json, the JSON Schema editors use to
complete and check flow files, from the flow's zod schema.

Usage: npm run schema [-- --out FILE]

  --out  where to write it (default schema/flow.schema.json; - for standard output;
         missing folders are made)`;

const { values } = readArgs("schema", HELP, {
  options: { out: { type: "string" }, help: { type: "boolean", short: "h" } },
});
if (values.help) process.stdout.write(`${HELP}\n`);
else {
  const out = values.out ?? fileURLToPath(new URL("../../schema/flow.schema.json", import.meta.url));
  writeOutput("schema", out, flowJsonSchema());
}
