import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot, tsxLoader } from "../../src/paths.ts";
import type { FakeMessage, FakeSlack } from "../../src/slack/fakeSlack/index.ts";
import { BOT_TOKEN, SIGNING_SECRET } from "../support/harness.ts";
import { blockActions, slashCommand } from "../support/payloads.ts";
import { SignedClient } from "../support/signedClient.ts";

const main = join(projectRoot, "src", "main.ts");

export interface AppProcess {
  child: ChildProcess;
  port: number;
  client: SignedClient;
  /** Everything the process wrote so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `tsx src/main.ts` in HTTP mode on a free port, against the fake Slack; resolves once it listens. */
export async function startApp(fake: FakeSlack, env: Record<string, string>): Promise<AppProcess> {
  // An empty working directory, so a developer's .env cannot leak in.
  const cwd = mkdtempSync(join(tmpdir(), "ssl-move-instance-"));
  // node with tsx's loader, not the tsx launcher: the launcher would run the app
  // in a child of its own, and a SIGKILL would then leave the app running.
  const child = spawn(process.execPath, ["--import", tsxLoader, main], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: cwd,
      NODE_ENV: "production",
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: "0",
      LOG_LEVEL: "info",
      ...env,
    },
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d;
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not start within 30 s:\n${out}`)), 30_000);
    const check = () => {
      const m = /listening on port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the app exited with ${code} before listening:\n${out}`));
    });
  });
  const client = new SignedClient(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);
  return {
    child,
    port,
    client,
    output: () => out,
    exited,
    async stop() {
      client.close();
      child.kill("SIGTERM");
      return exited;
    },
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Types the slash command on `app`; resolves with the message it drew. */
export async function command(
  fake: FakeSlack,
  app: AppProcess,
  o: { user: string; channel: string; text?: string },
): Promise<FakeMessage> {
  const responseUrl = fake.responseUrl({ channel: o.channel, user: o.user });
  const res = await app.client.command(slashCommand({ ...o, responseUrl }));
  if (res.status !== 200) throw new Error(`command answered ${res.status}`);
  return waitFor("the first question", () => fake.messageFor(responseUrl));
}

/** The state of a message now (the fake updates messages in place). */
export const snapshot = (m: FakeMessage) => ({ ...m, blocks: structuredClone(m.blocks) as unknown[] });

/**
 * Clicks `actionId` on the message as its owner, on `app`; resolves once the
 * message was redrawn (its update count went up).
 */
export function click(
  fake: FakeSlack,
  app: AppProcess,
  message: FakeMessage,
  actionId: string,
  user: string,
) {
  return clickOn(fake, [app], message, actionId, user);
}

/**
 * The same click sent to every app in `apps` at once (one app: a plain click;
 * two: a double click reaching two instances); resolves once each redrew.
 */
export async function clickOn(
  fake: FakeSlack,
  apps: AppProcess[],
  message: FakeMessage,
  actionId: string,
  user: string,
) {
  const before = fake.message(message.channel, message.ts)?.updates ?? 0;
  await Promise.all(
    apps.map(async (app) => {
      const responseUrl = fake.responseUrl({ channel: message.channel, user, messageTs: message.ts });
      const res = await app.client.interaction(blockActions({ message, actionId, user, responseUrl }));
      if (res.status !== 200) throw new Error(`click answered ${res.status}`);
    }),
  );
  return waitFor(`redraw after ${actionId}`, () => {
    const now = fake.message(message.channel, message.ts);
    return now && now.updates >= before + apps.length ? snapshot(now) : undefined;
  });
}

export function questionOf(message: { blocks: unknown[] }): string | undefined {
  for (const raw of message.blocks) {
    const block = raw as { elements?: Array<{ action_id?: string }> };
    for (const el of block.elements ?? []) {
      const m = el.action_id ? /^answer:([^:]+):/.exec(el.action_id) : null;
      if (m) return m[1];
    }
  }
  return undefined;
}

export const PATHS: Array<Record<string, string>> = [
  {
    validity: "valid",
    current_server: "our_shared",
    destination_server: "dedicated_vps_cloud",
    installer: "self",
  },
  {
    validity: "valid",
    current_server: "our_shared",
    destination_server: "dedicated_vps_cloud",
    installer: "us",
  },
  {
    validity: "valid",
    current_server: "our_shared",
    destination_server: "shared",
    destination_byo: "unknown",
  },
];
