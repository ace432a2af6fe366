import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startSandbox } from "../../src/sandbox/runSandbox.ts";
import { UI } from "../../src/slack/i18n.ts";
import { Harness } from "../support/harness.ts";

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

describe("sandbox page server", () => {
  it("refuses a message to a channel no view shows, and keeps its own notices across a reload", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "sandbox-send-"));
    const sandbox = await startSandbox({
      SANDBOX_PORT: "0",
      LOG_LEVEL: "warn",
      SQLITE_PATH: join(dataDir, "sandbox.db"),
    });
    const send = (channel: string, text: string) =>
      fetch(`${sandbox.url}/sandbox/send`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user: "U0SATO", channel, text }),
      });
    try {
      // App Home has no composer; a send there used to vanish into a channel named "home".
      const lost = await send("home", "/ssl-move");
      expect(lost.status).toBe(400);
      expect(await lost.json()).toEqual({ error: "unknown channel" });

      expect((await send("C0SUPPORT", "/ssl")).status).toBe(200);
      const state = (await (await fetch(`${sandbox.url}/sandbox/state`)).json()) as {
        messages: { channel: string; text: string; ephemeralFor?: string }[];
      };
      expect(state.messages).toEqual([
        expect.objectContaining({
          channel: "C0SUPPORT",
          ephemeralFor: "U0SATO",
          from: "Slackbot", // Slack, not the app, answers a command the app does not have
          text: expect.stringMatching(/^`\/ssl` は使えません。.* · Unknown command: try `\/ssl-move`\.$/),
        }),
      ]);
      expect(sandbox.records).toMatch(
        /^SQLite .*sandbox\.db \(npm run report -- --since YYYY-MM-DD reads it with the same setting\)$/,
      );
    } finally {
      await sandbox.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

it("an app keeps accepting its own buttons after a sandbox (another signing secret) starts in the same process", async () => {
  const h = await Harness.start();
  const dataDir = mkdtempSync(join(tmpdir(), "sandbox-two-"));
  const first = await h.command({ user: "UOWNER", channel: "C1" });
  const sandbox = await startSandbox({
    SANDBOX_PORT: "0",
    LOG_LEVEL: "warn",
    SQLITE_PATH: join(dataDir, "s.db"),
  });
  try {
    const before = first.updates; // the fake updates its messages in place
    const { message, calls } = await h.click(first, "answer:validity:valid");
    expect(calls.map((c) => String(c.args.text))).not.toContain(UI.ja.unreadable("/ssl-move"));
    expect(message.updates).toBe(before + 1);
  } finally {
    await sandbox.stop();
    await h.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
