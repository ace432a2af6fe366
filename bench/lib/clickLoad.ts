import { type ChildProcess, spawn } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { projectRoot, tsxLoader } from "../../src/paths.ts";
import { type FakeMessage, type FakeSlack, startFakeSlack } from "../../src/slack/fakeSlack/index.ts";
import { actionIdsIn, blockActions, slashCommand } from "../../src/slack/fakeSlack/payloads.ts";
import { SignedClient } from "../../src/slack/fakeSlack/signedClient.ts";
import { atCleanup, trackChild } from "./cleanup.ts";

/**
 * Shared by the click benchmarks: a fake Slack in this process (the Web API,
 * and the response_urls while the screens are collected), an app in its own
 * process, and a load generator that posts signed block_actions clicks over
 * keep-alive HTTP and times each until its HTTP response (Bolt's ack). The
 * timed clicks' redraws go to the response sink (sink.ts), another process.
 */

export const BENCH_SECRET = "bench-signing-secret-3c9e";
export const BENCH_TOKEN = "xoxb-bench-1234-5678";

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

export interface Screen {
  message: FakeMessage;
  actionId: string;
  /** The message the app drew after the click. */
  redraw?: FakeMessage;
}

export interface RunResult {
  ackMs: number[];
  /** When each click was sent (Date.now()), by its response_url. */
  sentAt: Map<string, number>;
  /** performance.now() when the first click was sent. */
  startedAt: number;
  elapsedMs: number;
  errors: number;
  throughput: number;
  /**
   * With a rate: clicks sent after they were due because every client was
   * still waiting for an answer. Their latencies count from when they were due.
   */
  late: number;
}

/** The fake Slack of a bench; cleanup.ts closes it (after the apps that call it have stopped). */
export async function startBenchFake(): Promise<FakeSlack> {
  const fake = await startFakeSlack({ botToken: BENCH_TOKEN });
  atCleanup(() => fake.close());
  return fake;
}

/** Starts `script` (a TypeScript file) with tsx as an HTTP-mode app pointed at the fake. */
export async function startAppProcess(
  script: string,
  fake: FakeSlack,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  // node with tsx's loader (not the tsx launcher), so the child is the app itself. It stops
  // with the bench: cleanup.ts on a signal, exitWithParent.ts (over the IPC channel) if the bench dies.
  const exitWithParent = new URL("./exitWithParent.ts", import.meta.url).href;
  const args = [...nodeArgs, "--import", tsxLoader, "--import", exitWithParent, script];
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: {
      ...process.env,
      SLACK_BOT_TOKEN: BENCH_TOKEN,
      SLACK_SIGNING_SECRET: BENCH_SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: "0",
      SOCKET_MODE: "false",
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  trackChild(child);
  const port = await listeningPort(child, script);
  return { child, port };
}

/** The port a child process announces with "listening on port N"; its later output is drained, not kept. */
export function listeningPort(child: ChildProcess, name: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let seen = "";
    const onData = (d: Buffer) => {
      seen += d;
      const m = /listening on port (\d+)/.exec(seen);
      if (!m) return;
      child.stdout?.off("data", onData);
      child.stdout?.resume();
      resolve(Number(m[1]));
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${name} exited (${code}) before listening:\n${seen}`)));
  });
}

export function clientFor(port: number, concurrency: number): SignedClient {
  return new SignedClient(`http://127.0.0.1:${port}/slack/events`, BENCH_SECRET, concurrency);
}

/** Walks one consultation through the real app, keeping the message at every depth to click on. */
export async function collectScreens(fake: FakeSlack, client: SignedClient): Promise<Screen[]> {
  const responseUrl = fake.responseUrl({ channel: "CBENCH", user: "UBENCH" });
  await client.command(slashCommand({ user: "UBENCH", channel: "CBENCH", responseUrl }));
  await fake.waitForCall((c) => c.responseUrl === responseUrl, { since: 0 });
  let message = fake.messageFor(responseUrl);
  const screens: Screen[] = [];
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
    if (message) (screens.at(-1) as Screen).redraw = structuredClone(message);
  }
  if (screens.length < 5) throw new Error(`only ${screens.length} screens collected`);
  return screens;
}

/**
 * Click bodies on the screens in turn, each with its own response_url from
 * `responseUrlFor` (click number n counts from 0); drive builds and signs them before timing.
 */
export function clickMaker(screens: Screen[], responseUrlFor: (message: FakeMessage, n: number) => string) {
  let next = 0;
  return () => {
    const n = next++;
    const { message, actionId } = screens[n % screens.length] as Screen;
    const responseUrl = responseUrlFor(message, n);
    const payload = blockActions({ message, actionId, user: "UBENCH", responseUrl });
    return { body: `payload=${encodeURIComponent(JSON.stringify(payload))}`, responseUrl };
  };
}

/**
 * Sends `total` clicks with `concurrency` clients. Without `rate` each client
 * clicks again as soon as it is answered; with `rate`, clicks are offered at
 * that many per second. The redraws are the response sink's to count
 * (sink.ts). `onStart` runs just before the clock starts (after the clicks
 * are built and signed).
 */
export async function drive(
  client: SignedClient,
  options: {
    total: number;
    concurrency: number;
    rate?: number;
    onStart?: () => void;
  },
  make: () => { body: string; responseUrl: string },
): Promise<RunResult> {
  const { total, concurrency, rate } = options;
  const ackMs: number[] = [];
  const sentAt = new Map<string, number>();
  let errors = 0;
  let started = 0;
  let late = 0;
  // Built, encoded and signed before the clock starts, so the clock measures the app, not the generator.
  const clicks = Array.from({ length: total }, () => {
    const { body, responseUrl } = make();
    return { request: client.prepare(body, "application/x-www-form-urlencoded"), responseUrl };
  });
  options.onStart?.();
  const begin = performance.now();
  const worker = async () => {
    while (started < total) {
      const index = started++;
      // From when the click was sent; but a click offered at a rate that finds every client
      // still waiting is sent late, and that wait is the app's too (coordinated omission):
      // then from when it was due. A client waiting on its timer is not late.
      let from: number | undefined;
      if (rate !== undefined) {
        const due = begin + (index / rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        else if (wait < -1) {
          from = due;
          late++;
        }
      }
      const { request, responseUrl } = clicks[index] as (typeof clicks)[number];
      const t0 = performance.now();
      from ??= t0;
      sentAt.set(responseUrl, Date.now() - (t0 - from));
      const res = await client.sendPrepared(request);
      ackMs.push(performance.now() - from);
      if (res.status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - begin;
  return {
    ackMs,
    sentAt,
    startedAt: begin,
    elapsedMs,
    errors,
    throughput: (total / elapsedMs) * 1000,
    late,
  };
}

export function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}
