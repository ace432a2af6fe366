// A second reference for bench/versus-bolt.bench.ts: Bolt doing this app's
// job in the plainest way it offers. It acknowledges the button, then redraws
// the message with Bolt's own respond(), posting the very message this app
// would draw (read from BENCH_REDRAWS, a JSON file of action_id → message),
// with no state, no flow, no records. Its own process, like the real app.
import { readFileSync } from "node:fs";
import { App, LogLevel, type RespondArguments } from "@slack/bolt";

const port = Number(process.env.PORT ?? 0);
const redraws = JSON.parse(readFileSync(process.env.BENCH_REDRAWS ?? "", "utf8")) as Record<
  string,
  RespondArguments
>;
const app = new App({
  token: process.env.SLACK_BOT_TOKEN ?? "",
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? "",
  deferInitialization: true,
  convoStore: false,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? "", retryConfig: { retries: 0 } },
});
let failures = 0;
app.action(/.*/, async ({ ack, action, respond }) => {
  await ack();
  const message = "action_id" in action ? redraws[action.action_id] : undefined;
  if (!message) return;
  // The bench notices missing redraws at the sink; one line here says why, not thousands.
  await respond({ replace_original: true, ...message }).catch((error: Error) => {
    if (failures++ === 0) process.stderr.write(`boltRespondApp: respond() failed: ${error.message}\n`);
  });
});
await app.init();
const server = (await app.start(port)) as import("node:http").Server;
const address = server.address();
process.stdout.write(`listening on port ${typeof address === "object" && address ? address.port : port}\n`);
process.once("SIGTERM", () => void app.stop().then(() => process.exit(0)));
