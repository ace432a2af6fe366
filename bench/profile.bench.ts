/**
 * Where a click's CPU goes: the real app (`src/main.ts`, HTTP mode, its own
 * process) under saturating clicks, profiled by V8 (`node --cpu-prof`), then
 * the profile's self time summed by part (Bolt, Node's HTTP and sockets, the
 * redraw's HTTP client, this app's code, the engine, records, GC) and the
 * functions that cost most. The profile covers the app's whole life: start-up,
 * warm-up and the measured clicks.
 *
 *   npm run bench:profile [-- --clicks 6000 --warmup 1000 --concurrency 50 --top 20]
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { projectRoot } from "../src/paths.ts";
import { readCounts } from "./lib/args.ts";
import { cleanUp, removeAtCleanup, reportFailure } from "./lib/cleanup.ts";
import {
  clickMaker,
  clientFor,
  collectScreens,
  drive,
  machine,
  startAppProcess,
  startBenchFake,
} from "./lib/clickLoad.ts";
import { forkResponseSink } from "./lib/sink.ts";

const USAGE = "usage: npm run bench:profile [-- --clicks 6000 --warmup 1000 --concurrency 50 --top 20]";
const {
  clicks: CLICKS,
  warmup: WARMUP,
  concurrency: CONCURRENCY,
  top: TOP,
} = readCounts(USAGE, {
  clicks: { default: 6000, min: 1, max: 100_000 },
  warmup: { default: 1000, min: 0, max: 100_000 },
  concurrency: { default: 50, min: 1, max: 1000 },
  top: { default: 20, min: 1, max: 1000 },
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The part of the stack a function belongs to, from where its code lives. */
function partOf({ functionName, url }: ProfileNode["callFrame"]): string {
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(idle)") return "idle";
  if (functionName === "(program)" || url === "") return "V8 and native code (JSON, HMAC, syscalls…)";
  if (url.startsWith("node:")) return "Node core (http, net, streams, crypto)";
  if (url.includes("/node_modules/@slack/")) return "Bolt and Slack SDK";
  if (url.includes("/node_modules/undici/")) return "undici (the redraw's POST)";
  if (url.includes("/node_modules/better-sqlite3/") || url.includes("/src/records/")) return "records";
  if (url.includes("/node_modules/xstate/") || url.includes("/src/engine/") || url.includes("/src/flow/"))
    return "engine and flow";
  if (url.includes("/src/")) return "this app (Slack layer, rendering)";
  if (url.includes("/node_modules/")) return "other packages";
  return "other";
}

// Ctrl-C, a kill or a failure: cleanUp() stops the app and the sink, closes the fake and removes dir.
const dir = removeAtCleanup(mkdtempSync(join(tmpdir(), "profile-bench-")));
const fake = await startBenchFake();
// The redraws go to a separate process, so the load generator (this one) does no work for them.
const sink = forkResponseSink();
const origin = await sink.origin();
const app = await startAppProcess(
  join(projectRoot, "src/main.ts"),
  fake,
  { SQLITE_PATH: join(dir, "records.db"), SLACK_RESPONSE_URL_ORIGINS: origin },
  ["--cpu-prof", "--cpu-prof-dir", dir],
);
try {
  const client = clientFor(app.port, CONCURRENCY);
  const make = clickMaker(await collectScreens(fake, client), (_message, n) => `${origin}/response/${n}`);
  const options = { concurrency: CONCURRENCY };
  process.stderr.write(`warm-up: ${WARMUP} clicks…\n`);
  await drive(client, { ...options, total: WARMUP }, make);
  process.stderr.write(`profiled: ${CLICKS} clicks…\n`);
  const result = await drive(client, { ...options, total: CLICKS }, make);
  // Every click's redraw is part of what is profiled.
  await sink.reaches(WARMUP + CLICKS);
  client.close();
  // The profile is written when the app exits; SIGTERM makes it finish its work and exit.
  const exited = new Promise((resolve) => app.child.once("exit", resolve));
  app.child.kill("SIGTERM");
  await exited;
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error("the app wrote no .cpuprofile");
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // Each sample's time delta is the time spent in the function on top of the stack.
  for (const [i, id] of profile.samples.entries())
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const parts = new Map<string, number>();
  const functions = new Map<string, { us: number; part: string }>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    const part = partOf(frame);
    if (part === "idle") continue;
    busyUs += us;
    parts.set(part, (parts.get(part) ?? 0) + us);
    const where = frame.url
      ? `${relative(projectRoot, frame.url.replace(/^file:\/\//, ""))}:${frame.lineNumber + 1}`
      : "";
    const key = `${frame.functionName || "(anonymous)"} ${where}`.trim();
    const f = functions.get(key) ?? { us: 0, part };
    f.us += us;
    functions.set(key, f);
  }
  const pct = (us: number) => `${((100 * us) / busyUs).toFixed(1)} %`;
  const total = WARMUP + CLICKS;
  console.log(
    [
      `profile of the app process: ${CLICKS} clicks (after ${WARMUP} warm-up) at concurrency ${CONCURRENCY}, ${Math.round(result.throughput)} clicks/s, ${result.errors} errors`,
      `busy CPU in the profile (start-up included): ${(busyUs / 1000).toFixed(0)} ms, about ${Math.round(busyUs / total)} µs per click`,
      "",
      "| part | self time | share |",
      "| --- | --- | --- |",
      ...[...parts]
        .sort((a, b) => b[1] - a[1])
        .map(([part, us]) => `| ${part} | ${(us / 1000).toFixed(0)} ms | ${pct(us)} |`),
      "",
      `top ${TOP} functions by self time:`,
      "| function | part | share |",
      "| --- | --- | --- |",
      ...[...functions]
        .sort((a, b) => b[1].us - a[1].us)
        .slice(0, TOP)
        .map(([name, f]) => `| ${name.replace(/\|/g, "\\|")} | ${f.part} | ${pct(f.us)} |`),
      "",
      `machine: ${machine()}; date: ${new Date().toISOString()}`,
    ].join("\n"),
  );
  process.exitCode = result.errors > 0 ? 1 : 0;
} catch (error) {
  // The app died, say: one line, not a stack trace.
  await reportFailure("bench:profile", error);
} finally {
  await cleanUp();
}
