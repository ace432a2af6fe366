/**
 * This app against a bare Bolt app that acknowledges the same button and does
 * nothing else: same machine, same load, alternating rounds. Reports both
 * throughputs, their ratio, and ack latency p50/p99 (time to the HTTP response).
 *
 *   npm run bench:versus-bolt [-- --rounds 4 --clicks 4000 --warmup 1000 --concurrency 50]
 *
 * Redraws from the app go to a separate sink process (response_url), so the
 * load generator does the same work for both apps. A click of this app is
 * done only when its redraw has reached the sink: the run's clock stops then,
 * not at the last ack (acks can run seconds ahead of redraws under load).
 */
import { fork } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../src/paths.ts";
import { blockActions } from "../src/slack/fakeSlack/payloads.ts";
import {
  clientFor,
  collectScreens,
  drive,
  listeningPort,
  machine,
  percentiles,
  type RunResult,
  startAppProcess,
  startBenchFake,
} from "./lib/clickLoad.ts";

const USAGE = `usage: npm run bench:versus-bolt [-- --rounds 4 --clicks 4000 --warmup 1000 --concurrency 50]
Clicks this app and a bare Bolt app in alternating rounds and prints a Markdown table.`;

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "4" },
    clicks: { type: "string", default: "4000" },
    warmup: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "50" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const ROUNDS = Number(values.rounds);
const CLICKS = Number(values.clicks);
const WARMUP = Number(values.warmup);
const CONCURRENCY = Number(values.concurrency);
for (const [name, n] of Object.entries({
  rounds: ROUNDS,
  clicks: CLICKS,
  warmup: WARMUP,
  concurrency: CONCURRENCY,
}))
  if (!Number.isInteger(n) || n < (name === "warmup" ? 0 : 1)) {
    console.error(`--${name} must be a whole number${name === "warmup" ? "" : " above 0"}\n${USAGE}`);
    process.exit(2);
  }

interface Round extends RunResult {
  /** Clicks per second counted until the last redraw arrived (bare Bolt: until the last ack). */
  completed: number;
  /** From sending a click to its redraw reaching the sink (this app only). */
  redrawMs: number[];
}

const fake = await startBenchFake();
const ours = await startAppProcess(join(projectRoot, "src/main.ts"), fake);
const bare = await startAppProcess(join(projectRoot, "bench/lib/bareBoltApp.ts"), fake);
const sink = fork(join(projectRoot, "bench/lib/responseSink.ts"), [], {
  execArgv: ["--import", "tsx"],
  stdio: ["ignore", "pipe", "inherit", "ipc"],
});
const sinkPort = await listeningPort(sink, "the response sink");
const children = [ours.child, bare.child, sink];

function askSink<T>(question: "count" | "take"): Promise<T> {
  return new Promise((resolve) => {
    sink.once("message", (answer) => resolve(answer as T));
    sink.send(question);
  });
}

/** Waits until the sink has received `count` posts in all; returns performance.now() then. */
async function sinkReaches(count: number): Promise<number> {
  const deadline = performance.now() + 30_000;
  while ((await askSink<number>("count")) < count) {
    if (performance.now() > deadline) throw new Error("redraws stopped arriving at the sink for 30 s");
    await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now();
}

try {
  const oursClient = clientFor(ours.port, CONCURRENCY);
  const bareClient = clientFor(bare.port, CONCURRENCY);
  const screens = await collectScreens(fake, oursClient);
  const origin = `http://127.0.0.1:${sinkPort}`;
  let n = 0;
  // Same bodies for both apps: a click on an answer button of a real consultation message.
  const make = () => {
    const { message, actionId } = screens[n % screens.length] as (typeof screens)[number];
    const responseUrl = `${origin}/response/${n++}`;
    const payload = blockActions({ message, actionId, user: "UBENCH", responseUrl });
    return { body: `payload=${encodeURIComponent(JSON.stringify(payload))}`, responseUrl };
  };
  let posted = 0; // redraws this app has been asked for so far
  const results: Record<"ours" | "bare", Round[]> = { ours: [], bare: [] };
  const run = async (which: "ours" | "bare") => {
    const client = which === "ours" ? oursClient : bareClient;
    const options = { concurrency: CONCURRENCY, expectRedraws: false };
    await drive(fake, client, { ...options, total: WARMUP }, make);
    if (which === "ours") {
      // The warm-up's redraws must be out of the way before the clock starts.
      posted += WARMUP;
      await sinkReaches(posted);
      await askSink("take");
    }
    const result = await drive(fake, client, { ...options, total: CLICKS }, make);
    if (result.errors > 0) throw new Error(`${which}: ${result.errors} clicks failed`);
    let round: Round = { ...result, completed: result.throughput, redrawMs: [] };
    if (which === "ours") {
      posted += CLICKS;
      const doneAt = await sinkReaches(posted);
      const arrivals = await askSink<[string, number][]>("take");
      round = {
        ...round,
        completed: (CLICKS / (doneAt - result.startedAt)) * 1000,
        redrawMs: arrivals.map(([path, at]) => at - (result.sentAt.get(`${origin}${path}`) ?? at)),
      };
    }
    results[which].push(round);
    process.stderr.write(
      `round ${results[which].length} ${which}: ${Math.round(round.completed)} clicks/s done, ${Math.round(round.throughput)} acked/s\n`,
    );
  };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate who goes first, so warm-up and background noise hit both alike.
    if (round % 2 === 0) {
      await run("bare");
      await run("ours");
    } else {
      await run("ours");
      await run("bare");
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const summary = (list: Round[]) => ({
    completed: median(list.map((r) => r.completed)),
    acked: median(list.map((r) => r.throughput)),
    spread: [Math.min(...list.map((r) => r.completed)), Math.max(...list.map((r) => r.completed))],
    ack: percentiles(list.flatMap((r) => r.ackMs)),
    redraw: percentiles(list.flatMap((r) => r.redrawMs)),
  });
  const o = summary(results.ours);
  const b = summary(results.bare);
  const ratio = o.completed / b.completed;
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const range = (s: number[]) => `${Math.round(s[0] ?? 0)}–${Math.round(s[1] ?? 0)}`;
  console.log(
    [
      `clicks over HTTP: ${ROUNDS} alternating rounds × ${CLICKS} clicks (after ${WARMUP} warm-up), concurrency ${CONCURRENCY}`,
      "| app | clicks/s done (median; range of rounds) | acks/s | ack p50 | ack p99 | redraw p50 | redraw p99 |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      `| bare Bolt (ack only) | ${Math.round(b.completed)} (${range(b.spread)}) | ${Math.round(b.acked)} | ${ms(b.ack.p50)} | ${ms(b.ack.p99)} | – | – |`,
      `| ssl-move-bot (ack + redraw) | ${Math.round(o.completed)} (${range(o.spread)}) | ${Math.round(o.acked)} | ${ms(o.ack.p50)} | ${ms(o.ack.p99)} | ${ms(o.redraw.p50)} | ${ms(o.redraw.p99)} |`,
      `ratio ssl-move-bot / bare Bolt: ${ratio.toFixed(2)} (target ≥ 0.8: ${ratio >= 0.8 ? "met" : "NOT met"}); ssl-move-bot ack p99 < 20 ms: ${o.ack.p99 < 20 ? "met" : "NOT met"}`,
      `machine: ${machine()}; date: ${new Date().toISOString()}`,
    ].join("\n"),
  );
  oursClient.close();
  bareClient.close();
} finally {
  // Apps first (they finish their in-flight redraws), then the sink they post to.
  for (const child of children) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  await fake.close();
}
