/**
 * Single clicks at human pace: one click, then a pause. This app, a bare
 * Bolt app (ack only) and a plain node:http server take turns, each click
 * after its own pause; reports the median time to the HTTP response (and
 * this app's redraw) for each pause. It tells what a person clicking every
 * second or two waits for, which throughput benchmarks do not.
 *
 *   npm run bench:idle [-- --clicks 15]
 *
 * Each runs in its own process. This app's redraws go to a separate sink
 * process: posted to the fake Slack in this process, they were read before
 * the ack that had left just ahead of them, adding its work to this app's
 * ack time (6 ms after a pause of 1.5 s).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../src/paths.ts";
import type { SignedClient } from "../src/slack/fakeSlack/signedClient.ts";
import { readCounts } from "./lib/args.ts";
import { cleanUp, removeAtCleanup, reportFailure } from "./lib/cleanup.ts";
import {
  clickMaker,
  clientFor,
  collectScreens,
  machine,
  startAppProcess,
  startBenchFake,
} from "./lib/clickLoad.ts";
import { median } from "./lib/median.ts";
import { forkResponseSink } from "./lib/sink.ts";

const { clicks: CLICKS } = readCounts(
  "usage: npm run bench:idle [-- --clicks 15]   (clicks per pause and server; about 10 s per click)",
  { clicks: { default: 15, min: 1, max: 1000 } },
);
/**
 * Pauses before each click, ms: back to back, a quick reader, a person. Each
 * server then idles three times the pause; kept under Node's 5 s keep-alive
 * timeout, past which a reused socket may meet the server closing it.
 */
const PAUSES = [0, 100, 500, 1500];

type Contender = "raw" | "bare" | "ours";
// Ctrl-C, a kill or a failure: cleanUp() stops the servers and the sink, closes the fake and removes dir.
const dir = removeAtCleanup(mkdtempSync(join(tmpdir(), "idle-bench-")));
const fake = await startBenchFake();
const scripts: Record<Contender, [string, Record<string, string>]> = {
  // The floor: the response sink is a plain node:http server that answers 200 and does nothing else.
  raw: ["bench/lib/responseSink.ts", {}],
  bare: ["bench/lib/bareBoltApp.ts", {}],
  ours: ["src/main.ts", { SQLITE_PATH: join(dir, "records.db") }],
};
const sink = forkResponseSink();
try {
  const origin = await sink.origin();
  const clients = {} as Record<Contender, SignedClient>;
  for (const [name, [script, env]] of Object.entries(scripts) as Array<
    [Contender, [string, Record<string, string>]]
  >) {
    // The redraws go to the sink, not to Slack's hosts: allowed like a fake Slack.
    const app = await startAppProcess(join(projectRoot, script), fake, {
      ...env,
      SLACK_RESPONSE_URL_ORIGINS: origin,
    });
    clients[name] = clientFor(app.port, 1);
  }
  const make = clickMaker(
    await collectScreens(fake, clients.ours),
    (_message, n) => `${origin}/response/${n}`,
  );
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let posted = 0; // redraws asked of this app so far
  /** One signed click on the next screen: its ack time, and for this app the time until its redraw reached the sink. */
  const click = async (who: Contender) => {
    const request = clients[who].prepare(make().body, "application/x-www-form-urlencoded");
    const sentAt = Date.now();
    const t0 = performance.now();
    const res = await clients[who].sendPrepared(request);
    const ack = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${who}: HTTP ${res.status} for a click`);
    if (who !== "ours") return { ack, redraw: Number.NaN };
    await sink.reaches(++posted);
    const [arrival] = await sink.take();
    // The sink's clock (Date.now, whole ms) against this one's, on the same machine.
    return { ack, redraw: (arrival?.[1] ?? Number.NaN) - sentAt };
  };
  // Warm all up back to back first: the pauses, not the JIT, are what is measured.
  for (let n = 0; n < 300; n++) for (const who of ["raw", "bare", "ours"] as const) await click(who);

  const ms = (xs: number[]) => `${median(xs).toFixed(1)} ms`;
  const rows: string[] = [];
  for (const pause of PAUSES) {
    const got = { raw: [] as number[], bare: [] as number[], ours: [] as number[], redraw: [] as number[] };
    for (let n = 0; n < CLICKS; n++)
      for (const who of ["raw", "bare", "ours"] as const) {
        await sleep(pause);
        const { ack, redraw } = await click(who);
        got[who].push(ack);
        if (who === "ours") got.redraw.push(redraw);
      }
    const row = `| ${pause} ms | ${ms(got.raw)} | ${ms(got.bare)} | ${ms(got.ours)} | ${ms(got.redraw)} |`;
    process.stderr.write(`${row}\n`);
    rows.push(row);
  }
  for (const client of Object.values(clients)) client.close();
  console.log(`single clicks after a pause: ${CLICKS} per pause and server, in turn; medians`);
  console.log(
    "| pause before each click | plain node:http, 200 | bare Bolt ack | ssl-move-bot ack | ssl-move-bot redraw reaches response_url |",
  );
  console.log("| --- | --- | --- | --- | --- |");
  for (const row of rows) console.log(row);
  console.log(`${machine()}; date: ${new Date().toISOString()}`);
} catch (error) {
  await reportFailure("bench:idle", error);
} finally {
  await cleanUp();
}
