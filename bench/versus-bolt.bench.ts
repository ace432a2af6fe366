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
 *
 * A third app is a reference for what a redraw costs in Bolt itself: it acks,
 * then posts the very message this app drew with Bolt's respond(). A fourth is
 * the floor for a single-process Bolt app that redraws: it acks and posts that
 * message, serialised beforehand, through the app's own keep-alive Pool, and
 * does nothing else; its ratio to bare Bolt bounds what such an app can reach
 * on the machine. App CPU per click is read from /proc/<pid>/stat, and where
 * the machine's cores went during each app's rounds (app, load generator,
 * sink, idle) from /proc too (Linux; "n/a" elsewhere).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
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
  type RunResult,
  startAppProcess,
  startBenchFake,
} from "./lib/clickLoad.ts";
import { median } from "./lib/median.ts";
import { forkResponseSink } from "./lib/sink.ts";

const USAGE = `usage: npm run bench:versus-bolt [-- --rounds 4 --clicks 4000 --warmup 1000 --concurrency 50]
Clicks this app, a bare Bolt app (ack only), Bolt ack + respond() and the floor
(Bolt ack + one post of a message serialised beforehand) in rotating rounds;
prints a Markdown table for docs/benchmarks.md.`;

const {
  rounds: ROUNDS,
  clicks: CLICKS,
  warmup: WARMUP,
  concurrency: CONCURRENCY,
} = readCounts(USAGE, {
  rounds: { default: 4, min: 1, max: 100 },
  clicks: { default: 4000, min: 1, max: 100_000 },
  warmup: { default: 1000, min: 0, max: 100_000 },
  concurrency: { default: 50, min: 1, max: 1000 },
});

/** CPU time (user + system, ms) a process has used so far; undefined where /proc is missing. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms (USER_HZ 100 on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Idle and stolen time of the whole machine so far (ms, summed over cores), from /proc/stat. */
function machineMs(): { idle: number; steal: number } | undefined {
  try {
    // "cpu  user nice system idle iowait irq softirq steal …" in ticks of 10 ms.
    const ticks = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").split(/\s+/).slice(1).map(Number);
    const [idle = Number.NaN, iowait = 0, steal = 0] = [ticks[3], ticks[4], ticks[7]];
    return Number.isNaN(idle) ? undefined : { idle: (idle + iowait) * 10, steal: steal * 10 };
  } catch {
    return undefined;
  }
}

function cpuUsageMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU time (ms) of every party of a round, and the wall clock, at one moment. */
interface Usage {
  app: number | undefined;
  generator: number;
  sink: number | undefined;
  machine: { idle: number; steal: number } | undefined;
  at: number;
}

interface Round extends RunResult {
  /** CPU snapshots at the start and the end of the measured clicks (the end after the last redraw). */
  usage: { start: Usage; end: Usage };
  /** Clicks per second counted until the last redraw arrived (bare Bolt: until the last ack). */
  completed: number;
  /** From each click's send to its redraw's arrival at the sink (none for bare Bolt). */
  redrawMs: number[];
}

type Contender = "bare" | "ours" | "respond" | "floor";
const LABELS: Record<Contender, string> = {
  bare: "bare Bolt (ack only)",
  ours: "ssl-move-bot (ack + redraw)",
  respond: "reference: Bolt ack + respond() of the same redraw",
  floor: "floor: Bolt ack + one post of the same redraw, serialised beforehand",
};

// Ctrl-C, a kill or a failure: cleanUp() stops the apps and the sink, closes the fake and removes dir.
const dir = removeAtCleanup(mkdtempSync(join(tmpdir(), "versus-bolt-")));
const fake = await startBenchFake();
const sink = forkResponseSink();

try {
  const origin = await sink.origin();
  const start = async (script: string, env: Record<string, string> = {}) => {
    const app = await startAppProcess(join(projectRoot, script), fake, env);
    return { ...app, client: clientFor(app.port, CONCURRENCY) };
  };
  const ours = await start("src/main.ts", {
    SQLITE_PATH: join(dir, "records.db"),
    // The redraws go to the sink, not to Slack's hosts: allowed like a fake Slack.
    SLACK_RESPONSE_URL_ORIGINS: origin,
  });
  const screens = await collectScreens(fake, ours.client);
  // The reference apps post exactly what this app drew after each click.
  const redrawsFile = join(dir, "redraws.json");
  writeFileSync(
    redrawsFile,
    JSON.stringify(
      Object.fromEntries(
        screens.map((s) => [s.actionId, { text: s.redraw?.text, blocks: s.redraw?.blocks }]),
      ),
    ),
  );
  const apps: Record<Contender, typeof ours> = {
    ours,
    bare: await start("bench/lib/bareBoltApp.ts"),
    respond: await start("bench/lib/boltRespondApp.ts", { BENCH_REDRAWS: redrawsFile }),
    floor: await start("bench/lib/boltFloorApp.ts", { BENCH_REDRAWS: redrawsFile }),
  };
  // Same bodies for every app: a click on an answer button of a real consultation message.
  const make = clickMaker(screens, (_message, n) => `${origin}/response/${n}`);
  let posted = 0; // redraws asked for so far, by every app
  const results: Record<Contender, Round[]> = { bare: [], ours: [], respond: [], floor: [] };
  const run = async (which: Contender) => {
    const { client, child } = apps[which];
    const redraws = which !== "bare";
    const options = { concurrency: CONCURRENCY };
    await drive(client, { ...options, total: WARMUP }, make);
    if (redraws) {
      // The warm-up's redraws must be out of the way before the clock starts.
      posted += WARMUP;
      await sink.reaches(posted);
      await sink.take();
    }
    const usage = (): Usage => ({
      app: cpuMs(child.pid),
      // This process: the load generator (the fake Slack in it is idle during the clicks).
      generator: cpuUsageMs(),
      sink: cpuMs(sink.child.pid),
      machine: machineMs(),
      at: performance.now(),
    });
    // Taken when the clock starts, after the clicks are built and signed.
    let start: Usage | undefined;
    const result = await drive(
      client,
      {
        ...options,
        total: CLICKS,
        onStart: () => {
          start = usage();
        },
      },
      make,
    );
    if (start === undefined) throw new Error("drive did not start the clock");
    if (result.errors > 0) throw new Error(`${which}: ${result.errors} clicks failed`);
    let round: Round = {
      ...result,
      completed: result.throughput,
      redrawMs: [],
      usage: { start, end: start },
    };
    if (redraws) {
      posted += CLICKS;
      const doneAt = await sink.reaches(posted);
      const arrivals = await sink.take();
      round = {
        ...round,
        completed: (CLICKS / (doneAt - result.startedAt)) * 1000,
        redrawMs: arrivals.map(([path, at]) => at - (result.sentAt.get(`${origin}${path}`) ?? at)),
      };
    }
    round.usage.end = usage();
    results[which].push(round);
    process.stderr.write(
      `round ${results[which].length} ${which}: ${Math.round(round.completed)} clicks/s done, ${Math.round(round.throughput)} acked/s\n`,
    );
  };
  const order: Contender[] = ["bare", "ours", "respond", "floor"];
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate who goes first, so warm-up and background noise hit every app alike.
    for (let i = 0; i < order.length; i++) await run(order[(round + i) % order.length] as Contender);
  }
  /** CPU time (ms) a party spent over the rounds' measured clicks; undefined without /proc. */
  const spent = (list: Round[], pick: (u: Usage) => number | undefined) => {
    let used = 0;
    for (const { start, end } of list.map((r) => r.usage)) {
      const [a, b] = [pick(start), pick(end)];
      if (a === undefined || b === undefined) return undefined;
      used += b - a;
    }
    return used;
  };
  // With an even number of rounds, the mean of the two middle ones (run 31 and earlier printed the upper).
  const summary = (list: Round[]) => {
    // Summed over the rounds: one round's CPU time is only a few hundred 10 ms ticks.
    const appMs = spent(list, (u) => u.app);
    return {
      completed: median(list.map((r) => r.completed)),
      acked: median(list.map((r) => r.throughput)),
      spread: [Math.min(...list.map((r) => r.completed)), Math.max(...list.map((r) => r.completed))],
      ack: percentiles(list.flatMap((r) => r.ackMs)),
      redraw: percentiles(list.flatMap((r) => r.redrawMs)),
      cpuPerClick: appMs === undefined ? "n/a" : `${Math.round((appMs * 1000) / (list.length * CLICKS))} µs`,
    };
  };
  /** Cores each party kept busy over a contender's measured rounds ("n/a" without /proc). */
  const cores = (list: Round[]) => {
    const wall = list.reduce((sum, r) => sum + (r.usage.end.at - r.usage.start.at), 0);
    const share = (pick: (u: Usage) => number | undefined) => {
      const used = spent(list, pick);
      return used === undefined ? "n/a" : (used / wall).toFixed(2);
    };
    return [
      share((u) => u.app),
      share((u) => u.generator),
      share((u) => u.sink),
      share((u) => u.machine?.idle),
      share((u) => u.machine?.steal),
    ];
  };
  const sums = {
    bare: summary(results.bare),
    ours: summary(results.ours),
    respond: summary(results.respond),
    floor: summary(results.floor),
  };
  const ms = (x: number) => (Number.isNaN(x) ? "–" : `${x.toFixed(2)} ms`);
  const range = (s: number[]) => `${Math.round(s[0] ?? 0)}–${Math.round(s[1] ?? 0)}`;
  const row = (which: Contender) => {
    const x = sums[which];
    return `| ${LABELS[which]} | ${Math.round(x.completed)} (${range(x.spread)}) | ${Math.round(x.acked)} | ${ms(x.ack.p50)} | ${ms(x.ack.p99)} | ${ms(x.redraw.p50)} | ${ms(x.redraw.p99)} | ${x.cpuPerClick} |`;
  };
  const ratio = sums.ours.completed / sums.bare.completed;
  console.log(
    [
      `clicks over HTTP: ${ROUNDS} rotating rounds × ${CLICKS} clicks (after ${WARMUP} warm-up), concurrency ${CONCURRENCY}`,
      "| app | clicks/s done (median; range of rounds) | acks/s | ack p50 | ack p99 | redraw p50 | redraw p99 | app CPU per click |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
      row("bare"),
      row("ours"),
      row("respond"),
      row("floor"),
      `ratio ssl-move-bot / bare Bolt: ${ratio.toFixed(2)} (target ≥ 0.8: ${ratio >= 0.8 ? "met" : "NOT met"}); ssl-move-bot ack p99 < 20 ms: ${sums.ours.ack.p99 < 20 ? "met" : "NOT met"}`,
      `ratio ssl-move-bot / Bolt ack + respond(): ${(sums.ours.completed / sums.respond.completed).toFixed(2)}`,
      `ratio floor / bare Bolt: ${(sums.floor.completed / sums.bare.completed).toFixed(2)} (an ack and one post, nothing else: no single-process Bolt app that redraws can do better); ssl-move-bot / floor: ${(sums.ours.completed / sums.floor.completed).toFixed(2)}`,
      `where the ${cpus().length} cores went during each app's measured rounds (cores busy; the load generator is this process):`,
      "| app | app process | load generator | response sink | idle | stolen by the hypervisor |",
      "| --- | --- | --- | --- | --- | --- |",
      ...order.map((which) => `| ${LABELS[which]} | ${cores(results[which]).join(" | ")} |`),
      `machine: ${machine()}; date: ${new Date().toISOString()}`,
    ].join("\n"),
  );
  for (const app of Object.values(apps)) app.client.close();
} catch (error) {
  // A failed run says why in one line; the apps are still stopped below.
  await reportFailure("bench:versus-bolt", error);
} finally {
  // Apps first, newest first (they finish their in-flight redraws), then the sink they post to.
  await cleanUp();
}
