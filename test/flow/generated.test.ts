import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { drawDiagram } from "../../src/flow/drawDiagram.ts";
import { flowJsonSchema } from "../../src/flow/flowJsonSchema.ts";
import { defaultFlowFile } from "../../src/paths.ts";
import { loadRealFlow } from "../support/flow.ts";

describe("generated files are current", () => {
  it("docs/flow.md matches the flow (run npm run diagram)", () => {
    expect(readFileSync("docs/flow.md", "utf8")).toBe(drawDiagram(loadRealFlow()));
  });

  it("schema/flow.schema.json matches the zod schema (run npm run schema)", () => {
    expect(readFileSync("schema/flow.schema.json", "utf8")).toBe(flowJsonSchema());
  });

  it("the flow file points editors at the schema on line 1", () => {
    expect(readFileSync(defaultFlowFile, "utf8").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../schema/flow.schema.json",
    );
  });
});
