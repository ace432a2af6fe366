import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFlowFile } from "../../src/flow/loadFlow.ts";
import { defaultFlowFile } from "../../src/paths.ts";
import { formatPositionedError } from "../../src/yaml/parseYaml.ts";

/** The real flow, compiled once per test file. */
export function loadRealFlow() {
  const loaded = loadFlowFile(defaultFlowFile);
  if (!loaded.ok) throw new Error(loaded.errors.map(formatPositionedError).join("\n"));
  return loaded.compiled;
}

/** The real flow with its version one higher, as after an edit that changes a question's meaning. */
export function loadBumpedFlow() {
  const file = join(mkdtempSync(join(tmpdir(), "flow-v2-")), "ssl-migration.yaml");
  writeFileSync(
    file,
    readFileSync(defaultFlowFile, "utf8").replace(/^version: (\d+)$/m, (_, v) => `version: ${Number(v) + 1}`),
  );
  const bumped = loadFlowFile(file);
  if (!bumped.ok) throw new Error("bumped flow does not load");
  return bumped.compiled;
}

/**
 * The rules file's section 5 example "our certificate on another host, key locked in": every
 * answer up to the installer question, which each test adds as it needs.
 */
export const REISSUE_BEFORE_INSTALLER: Readonly<Record<string, string>> = {
  validity: "valid",
  current_server: "other_shared",
  issuer: "us",
  key_exportable: "no",
  destination_server: "dedicated_vps_cloud",
  reissuable: "yes",
  csr_details_same: "yes",
};
