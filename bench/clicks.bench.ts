import { type ChildProcess, spawn } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../src/paths.ts";
import { type FakeMessage, startFakeSlack } from "../src/slack/fakeSlack/index.ts";
import { BOT_TOKEN, SIGNING_SECRET } from "../test/support/harness.ts";
import { actionIdsIn, blockActions, slashCommand } from "../test/support/payloads.ts";
import { SignedClient } from "../test/support/signedClient.ts";

// Clicks over HTTP at a fixed concurrency against the real app (`src/main.ts`,
// HTTP mode, in its own process) with the fake Slack in this process.
// Reports the time until the HTTP response (Bolt's ack) and until the
// redrawn message reaches Slack.
//   npx tsx bench/clicks.bench.ts [--clicks 10000] [--concurrency 50] [--warmup 1000] [--rate N]
// Without --rate, 50 clients click again as soon as they are answered (saturation:
// latency is then mostly queueing). With --rate, clicks are offered at N per second,
// still with up to 50 in flight, which is how latency looks below saturation.

const { values } = parseArgs({
  options: {
    clicks: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "50" },
    warmup: { type: "string", default: "1000" },
    rate: { type: "string" },
  },
});
const CLICKS = Number(values.clicks);
const CONCURRENCY = Number(values.concurrency);
const WARMUP = Number(values.warmup);
const RATE = values.rate === undefined ? undefined : Number(values.rate);

// A consultation that asks many questions, so clicks replay long answer lists too.
const PATH: Record<string, string> = {
  validity: "valid",
  current_server: "other_shared",
  issuer: "us",
  key_exportable: "unknown",
  destination_server: "dedicated_vps_cloud",
  reissuable: "yes",
  csr_details_same: "yes",
  installer: "self",
};

const fake = await startFakeSlack({ botToken: BOT_TOKEN });
const app = startApp();
try {
  const port = await listeningPort(app);
  const client = new SignedClient(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET, CONCURRENCY);

  // One walk through the consultation gives a message at every depth to click on.
  const screens = await collectScreens(client);

  let next = 0;
  const click = () => {
    const { message, actionId } = screens[next++ % screens.length] as {
      message: FakeMessage;
      actionId: string;
    };
    const responseUrl = fake.responseUrl({ channel: message.channel, user: "UBENCH", messageTs: message.ts });
    const payload = blockActions({ message, actionId, user: "UBENCH", responseUrl });
    // Encoded before the clock starts: the figures are the app's, not the load generator's.
    return { body: `payload=${encodeURIComponent(JSON.stringify(payload))}`, responseUrl };
  };

  await drive(client, WARMUP, click);
  const result = await drive(client, CLICKS, click);
  client.close();

  const ack = stats(result.ackMs);
  const redraw = stats(result.redrawMs);
  const cpu = cpus();
  const lines = [
    `clicks: ${CLICKS} (after ${WARMUP} warm-up), concurrency ${CONCURRENCY}, ${RATE === undefined ? "as fast as answered" : `offered at ${RATE}/s`}, ${result.errors} errors`,
    `ack latency (HTTP response): p50 ${ack.p50.toFixed(2)} ms · p99 ${ack.p99.toFixed(2)} ms · max ${ack.max.toFixed(2)} ms`,
    `redraw latency (update reaches Slack): p50 ${redraw.p50.toFixed(2)} ms · p99 ${redraw.p99.toFixed(2)} ms`,
    `throughput: ${Math.round((CLICKS / result.elapsedMs) * 1000)} clicks/s`,
    `machine: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    `date: ${new Date().toISOString()}`,
    `target p99 < 20 ms: ${ack.p99 < 20 ? "met" : "NOT met"}`,
  ];
  console.log(lines.join("\n"));
  process.exitCode = result.errors > 0 ? 1 : 0;
} finally {
  app.kill("SIGTERM");
  await fake.close();
}

function startApp(): ChildProcess {
  const child = spawn(
    join(projectRoot, "node_modules", ".bin", "tsx"),
    [join(projectRoot, "src", "main.ts")],
    {
      cwd: projectRoot,
      env: {
        ...process.env,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        PORT: "0",
        SOCKET_MODE: "false",
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return child;
}

function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout?.on("data", (d: Buffer) => {
      seen += d;
      const m = /listening on port (\d+)/.exec(seen);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`the app exited (${code}) before listening:\n${seen}`)));
  });
}

async function collectScreens(client: SignedClient) {
  const responseUrl = fake.responseUrl({ channel: "CBENCH", user: "UBENCH" });
  await client.command(slashCommand({ user: "UBENCH", channel: "CBENCH", responseUrl }));
  await fake.waitForCall((c) => c.responseUrl === responseUrl, { since: 0 });
  let message = fake.messageFor(responseUrl);
  const screens: Array<{ message: FakeMessage; actionId: string }> = [];
  while (message) {
    const question = actionIdsIn(message.blocks)
      .find((id) => id.startsWith("answer:"))
      ?.split(":")[1];
    if (question === undefined) break;
    const actionId = `answer:${question}:${PATH[question]}`;
    const snapshot = structuredClone(message);
    screens.push({ message: snapshot, actionId });
    const url = fake.responseUrl({ channel: snapshot.channel, user: "UBENCH", messageTs: snapshot.ts });
    const mark = fake.mark();
    await client.interaction(blockActions({ message: snapshot, actionId, user: "UBENCH", responseUrl: url }));
    await fake.waitForCall((c) => c.responseUrl === url, { since: mark });
    message = fake.message(snapshot.channel, snapshot.ts);
  }
  if (screens.length < 5) throw new Error(`only ${screens.length} screens collected`);
  return screens;
}

async function drive(
  client: SignedClient,
  total: number,
  make: () => { body: string; responseUrl: string },
): Promise<{ ackMs: number[]; redrawMs: number[]; elapsedMs: number; errors: number }> {
  const ackMs: number[] = [];
  const sentAt = new Map<string, number>();
  let errors = 0;
  let started = 0;
  const mark = fake.mark();
  const begin = performance.now();
  const worker = async () => {
    while (started < total) {
      const index = started++;
      if (RATE !== undefined) {
        const due = begin + (index / RATE) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const { body, responseUrl } = make();
      sentAt.set(responseUrl, Date.now());
      const t0 = performance.now();
      const res = await client.send(body, "application/x-www-form-urlencoded");
      ackMs.push(performance.now() - t0);
      if (res.status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsedMs = performance.now() - begin;
  // Every click redraws its message once; wait for the last redraws to arrive.
  const deadline = Date.now() + 10_000;
  const redraws = () => fake.calls.filter((c) => c.seq > mark && c.kind === "response_url");
  while (redraws().length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const done = redraws();
  errors += total - done.filter((c) => c.ok).length;
  const redrawMs = done.map((c) => c.at - (sentAt.get(c.responseUrl ?? "") ?? c.at));
  fake.calls.length = 0; // keep memory flat between phases
  return { ackMs, redrawMs, elapsedMs, errors };
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}
