import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { flowJsonSchema } from "../flow/flowJsonSchema.ts";
import { readArgs } from "./readArgs.ts";

const HELP = `Regenerates schema/flow.schema.json, the JSON Schema editors use to
complete and check flow files, from the flow's zod schema.

Usage: npm run schema`;

const { values } = readArgs("schema", HELP, { options: { help: { type: "boolean", short: "h" } } });
if (values.help) process.stdout.write(`${HELP}\n`);
else {
  const target = fileURLToPath(new URL("../../schema/flow.schema.json", import.meta.url));
  writeFileSync(target, flowJsonSchema());
  process.stdout.write(`wrote ${target}\n`);
}
