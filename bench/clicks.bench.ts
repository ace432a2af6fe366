/**
 * Clicks over HTTP at a fixed concurrency against the real app (`src/main.ts`,
 * HTTP mode, in its own process). Reports the time until the HTTP response
 * (Bolt's ack) and until the redrawn message reaches the response sink, a
 * separate process answering response_url posts as Slack does (so this
 * process, the load generator, does no work for the redraws).
 *
 *   npm run bench:clicks [-- --clicks 10000 --concurrency 50 --warmup 1000 --rate N]
 *
 * Without --rate, 50 clients click again as soon as they are answered
 * (saturation: latency is then mostly queueing). With --rate, clicks are offered
 * at N per second, still with up to 50 in flight: latency below saturation.
 * A click that finds all 50 still waiting is sent late, and its latency
 * counts from when it was due (the output says how many were).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../src/paths.ts";
import { readCounts } from "./lib/args.ts";
import { cleanUp, removeAtCleanup, reportFailure } from "./lib/cleanup.ts";
import {
  clickMaker,
  clientFor,
  collectScreens,
  drive,
  machine,
  percentiles,
  startAppProcess,
  startBenchFake,
} from "./lib/clickLoad.ts";
import { forkResponseSink } from "./lib/sink.ts";

const {
  clicks: CLICKS,
  concurrency: CONCURRENCY,
  warmup: WARMUP,
  rate: RATE,
} = readCounts("usage: npm run bench:clicks [-- --clicks 10000 --concurrency 50 --warmup 1000 --rate N]", {
  clicks: { default: 10_000, min: 1, max: 100_000 },
  concurrency: { default: 50, min: 1, max: 1000 },
  warmup: { default: 1000, min: 0, max: 100_000 },
  rate: { min: 1, max: 100_000 },
});

// Ctrl-C, a kill or a failure: cleanUp() stops the app and the sink, closes the fake and removes dir.
const dir = removeAtCleanup(mkdtempSync(join(tmpdir(), "clicks-bench-")));
const fake = await startBenchFake();
const sink = forkResponseSink();
const origin = await sink.origin();
const app = await startAppProcess(join(projectRoot, "src/main.ts"), fake, {
  SQLITE_PATH: join(dir, "records.db"),
  // The redraws go to the sink, not to Slack's hosts: allowed like a fake Slack.
  SLACK_RESPONSE_URL_ORIGINS: origin,
});
try {
  const client = clientFor(app.port, CONCURRENCY);
  const make = clickMaker(await collectScreens(fake, client), (_message, n) => `${origin}/response/${n}`);
  const options = {
    concurrency: CONCURRENCY,
    ...(RATE === undefined ? {} : { rate: RATE }),
  };
  await drive(client, { ...options, total: WARMUP }, make);
  // The warm-up's redraws must be out of the way before the clock starts.
  await sink.reaches(WARMUP);
  await sink.take();
  const result = await drive(client, { ...options, total: CLICKS }, make);
  await sink.reaches(WARMUP + CLICKS);
  // The sink's clock (Date.now, whole ms) against this one's, on the same machine.
  const redrawMs = (await sink.take()).map(
    ([path, at]) => at - (result.sentAt.get(`${origin}${path}`) ?? at),
  );
  client.close();
  const ack = percentiles(result.ackMs);
  const redraw = percentiles(redrawMs);
  console.log(
    [
      `clicks: ${CLICKS} (after ${WARMUP} warm-up), concurrency ${CONCURRENCY}, ${RATE === undefined ? "as fast as answered" : `offered at ${RATE}/s, ${result.late} sent late (every client busy; counted from when due)`}, ${result.errors} errors`,
      `ack latency (HTTP response): p50 ${ack.p50.toFixed(2)} ms · p99 ${ack.p99.toFixed(2)} ms · max ${ack.max.toFixed(2)} ms`,
      `redraw latency (update reaches Slack): p50 ${redraw.p50.toFixed(2)} ms · p99 ${redraw.p99.toFixed(2)} ms`,
      `throughput: ${Math.round(result.throughput)} clicks/s`,
      `machine: ${machine()}; date: ${new Date().toISOString()}`,
      `target p99 < 20 ms: ${ack.p99 < 20 ? "met" : "NOT met"}`,
    ].join("\n"),
  );
  process.exitCode = result.errors > 0 ? 1 : 0;
} catch (error) {
  // The app died, say: one line, not a stack trace.
  await reportFailure("bench:clicks", error);
} finally {
  await cleanUp();
}
