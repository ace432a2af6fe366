/**
 * This app against a bare Bolt app that acknowledges the same button and does
 * nothing else: same machine, same load, alternating rounds. Reports both
 * throughputs, their ratio, and ack latency p50/p99 (time to the HTTP response).
 *
 *   npm run bench:versus-bolt [-- --rounds 4 --clicks 4000 --concurrency 50]
 *
 * Redraws from the app go to a separate sink process (response_url), so the
 * load generator does the same work for both apps.
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

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "4" },
    clicks: { type: "string", default: "4000" },
    warmup: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "50" },
  },
});
const ROUNDS = Number(values.rounds);
const CLICKS = Number(values.clicks);
const WARMUP = Number(values.warmup);
const CONCURRENCY = Number(values.concurrency);

const fake = await startBenchFake();
const ours = await startAppProcess(join(projectRoot, "src/main.ts"), fake);
const bare = await startAppProcess(join(projectRoot, "bench/lib/bareBoltApp.ts"), fake);
const sink = fork(join(projectRoot, "bench/lib/responseSink.ts"), [], {
  execArgv: ["--import", "tsx"],
  stdio: ["ignore", "pipe", "inherit", "ipc"],
});
const sinkPort = await listeningPort(sink, "the response sink");
const children = [ours.child, bare.child, sink];

try {
  const oursClient = clientFor(ours.port, CONCURRENCY);
  const bareClient = clientFor(bare.port, CONCURRENCY);
  const screens = await collectScreens(fake, oursClient);
  let n = 0;
  // Same bodies for both apps: a click on an answer button of a real consultation message.
  const make = () => {
    const { message, actionId } = screens[n % screens.length] as (typeof screens)[number];
    const responseUrl = `http://127.0.0.1:${sinkPort}/response/${n++}`;
    const payload = blockActions({ message, actionId, user: "UBENCH", responseUrl });
    return { body: `payload=${encodeURIComponent(JSON.stringify(payload))}`, responseUrl };
  };
  const results: Record<"ours" | "bare", RunResult[]> = { ours: [], bare: [] };
  const run = async (which: "ours" | "bare") => {
    const client = which === "ours" ? oursClient : bareClient;
    await drive(fake, client, { total: WARMUP, concurrency: CONCURRENCY, expectRedraws: false }, make);
    const result = await drive(
      fake,
      client,
      { total: CLICKS, concurrency: CONCURRENCY, expectRedraws: false },
      make,
    );
    if (result.errors > 0) throw new Error(`${which}: ${result.errors} clicks failed`);
    results[which].push(result);
    process.stderr.write(
      `round ${results[which].length} ${which}: ${Math.round(result.throughput)} clicks/s\n`,
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
  const summary = (list: RunResult[]) => {
    const throughputs = list.map((r) => r.throughput).sort((a, b) => a - b);
    const median = throughputs[Math.floor(throughputs.length / 2)] ?? Number.NaN;
    return { median, ack: percentiles(list.flatMap((r) => r.ackMs)) };
  };
  const o = summary(results.ours);
  const b = summary(results.bare);
  const ratio = o.median / b.median;
  console.log(
    [
      `clicks over HTTP: ${ROUNDS} alternating rounds × ${CLICKS} clicks (after ${WARMUP} warm-up), concurrency ${CONCURRENCY}`,
      "| app | throughput (median of rounds) | ack p50 | ack p99 |",
      "| --- | --- | --- | --- |",
      `| bare Bolt (ack only) | ${Math.round(b.median)} clicks/s | ${b.ack.p50.toFixed(2)} ms | ${b.ack.p99.toFixed(2)} ms |`,
      `| ssl-move-bot | ${Math.round(o.median)} clicks/s | ${o.ack.p50.toFixed(2)} ms | ${o.ack.p99.toFixed(2)} ms |`,
      `ratio ssl-move-bot / bare Bolt: ${ratio.toFixed(2)} (target ≥ 0.8: ${ratio >= 0.8 ? "met" : "NOT met"}); ssl-move-bot p99 < 20 ms: ${o.ack.p99 < 20 ? "met" : "NOT met"}`,
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
