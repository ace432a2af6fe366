// The baseline for bench/versus-bolt.bench.ts: a bare Bolt app (same version,
// same HTTP receiver, same signing secret) that acknowledges every button and
// does nothing else. Run as its own process, like the real app.
import { App, LogLevel } from "@slack/bolt";

const port = Number(process.env.PORT ?? 0);
const app = new App({
  token: process.env.SLACK_BOT_TOKEN ?? "",
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? "",
  deferInitialization: true,
  convoStore: false,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? "", retryConfig: { retries: 0 } },
});
app.action(/.*/, async ({ ack }) => {
  await ack();
});
await app.init();
const server = (await app.start(port)) as import("node:http").Server;
const address = server.address();
process.stdout.write(`listening on port ${typeof address === "object" && address ? address.port : port}\n`);
process.once("SIGTERM", () => void app.stop().then(() => process.exit(0)));
