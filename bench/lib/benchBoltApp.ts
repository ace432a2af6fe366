import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { App, LogLevel, type RespondArguments } from "@slack/bolt";

// The reference Bolt apps of bench/versus-bolt.bench.ts share everything but
// their listener: the same Bolt version, HTTP receiver, signing secret and
// options, pointed at the fake Slack, each in its own process like the real app.

export function benchBoltApp(): App {
  return new App({
    token: process.env.SLACK_BOT_TOKEN ?? "",
    signingSecret: process.env.SLACK_SIGNING_SECRET ?? "",
    deferInitialization: true,
    convoStore: false,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? "", retryConfig: { retries: 0 } },
  });
}

/** The messages this app drew, by the action_id clicked (BENCH_REDRAWS, written by the bench). */
export function readRedraws(): Record<string, RespondArguments> {
  return JSON.parse(readFileSync(process.env.BENCH_REDRAWS ?? "", "utf8"));
}

/** Listens on PORT (0: any), says "listening on port N" for the bench, and stops on SIGTERM. */
export async function serveBenchApp(app: App): Promise<void> {
  const port = Number(process.env.PORT ?? 0);
  await app.init();
  const server = (await app.start(port)) as Server;
  const address = server.address();
  process.stdout.write(`listening on port ${typeof address === "object" && address ? address.port : port}\n`);
  process.once("SIGTERM", () => void app.stop().then(() => process.exit(0)));
}
