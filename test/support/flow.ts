import { loadFlowFile } from "../../src/flow/loadFlow.ts";
import { defaultFlowFile } from "../../src/paths.ts";
import { formatPositionedError } from "../../src/yaml/parseYaml.ts";

/** The real flow, compiled once per test file. */
export function loadRealFlow() {
  const loaded = loadFlowFile(defaultFlowFile);
  if (!loaded.ok) throw new Error(loaded.errors.map(formatPositionedError).join("\n"));
  return loaded.compiled;
}
