import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { flowJsonSchema } from "../flow/flowJsonSchema.ts";

const target = fileURLToPath(new URL("../../schema/flow.schema.json", import.meta.url));
writeFileSync(target, flowJsonSchema());
process.stdout.write(`wrote ${target}\n`);
