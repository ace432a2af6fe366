import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startSandbox } from "../../src/sandbox/runSandbox.ts";

describe("sandbox address", () => {
  // .env.example has `SANDBOX_HOST=`: a copied, unfilled .env must not open the page (no login) to the network.
  it.each([
    ["unset", undefined],
    ["empty, as in .env.example", ""],
  ])("SANDBOX_HOST %s: the page listens on 127.0.0.1 only", async (_, host) => {
    const dataDir = mkdtempSync(join(tmpdir(), "sandbox-host-"));
    const sandbox = await startSandbox({
      SANDBOX_PORT: "0",
      LOG_LEVEL: "warn",
      SQLITE_PATH: join(dataDir, "sandbox.db"),
      ...(host === undefined ? {} : { SANDBOX_HOST: host }),
    });
    try {
      expect(sandbox.address).toBe("127.0.0.1");
    } finally {
      await sandbox.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
