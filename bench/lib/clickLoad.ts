import { type ChildProcess, spawn } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { projectRoot, tsxLoader } from "../../src/paths.ts";
import { type FakeMessage, type FakeSlack, startFakeSlack } from "../../src/slack/fakeSlack/index.ts";
import { actionIdsIn, blockActions, slashCommand } from "../../src/slack/fakeSlack/payloads.ts";
import { SignedClient } from "../../src/slack/fakeSlack/signedClient.ts";

/**
 * Shared by the click benchmarks: a fake Slack in this process, an app in its
 * own process, and a load generator that posts signed block_actions clicks
 * over keep-alive HTTP and times each until its HTTP response (Bolt's ack).
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
  redrawMs: number[];
  /** When each click was sent (Date.now()), by its response_url. */
  sentAt: Map<string, number>;
  /** performance.now() when the first click was sent. */
  startedAt: number;
  elapsedMs: number;
  errors: number;
  throughput: number;
}

export async function startBenchFake(): Promise<FakeSlack> {
  return startFakeSlack({ botToken: BENCH_TOKEN });
}

/** Starts `script` (a TypeScript file) with tsx as an HTTP-mode app pointed at the fake. */
export async function startAppProcess(
  script: string,
  fake: FakeSlack,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  // node with tsx's loader (not the tsx launcher), so the child is the app itself.
  const child = spawn(process.execPath, [...nodeArgs, "--import", tsxLoader, script], {
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
    stdio: ["ignore", "pipe", "inherit"],
  });
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
 * that many per second. When `expectRedraws`, waits for each click's redraw.
 */
export async function drive(
  fake: FakeSlack,
  client: SignedClient,
  options: { total: number; concurrency: number; rate?: number; expectRedraws: boolean },
  make: () => { body: string; responseUrl: string },
): Promise<RunResult> {
  const { total, concurrency, rate } = options;
  const ackMs: number[] = [];
  const sentAt = new Map<string, number>();
  let errors = 0;
  let started = 0;
  // Built, encoded and signed before the clock starts, so the clock measures the app, not the generator.
  const clicks = Array.from({ length: total }, () => {
    const { body, responseUrl } = make();
    return { request: client.prepare(body, "application/x-www-form-urlencoded"), responseUrl };
  });
  const mark = fake.mark();
  const begin = performance.now();
  const worker = async () => {
    while (started < total) {
      const index = started++;
      if (rate !== undefined) {
        const wait = begin + (index / rate) * 1000 - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const { request, responseUrl } = clicks[index] as (typeof clicks)[number];
      sentAt.set(responseUrl, Date.now());
      const t0 = performance.now();
      const res = await client.sendPrepared(request);
      ackMs.push(performance.now() - t0);
      if (res.status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - begin;
  let redrawMs: number[] = [];
  if (options.expectRedraws) {
    const deadline = Date.now() + 10_000;
    const redraws = () => fake.calls.filter((c) => c.seq > mark && c.kind === "response_url");
    while (redraws().length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const done = redraws();
    errors += total - done.filter((c) => c.ok).length;
    redrawMs = done.map((c) => c.at - (sentAt.get(c.responseUrl ?? "") ?? c.at));
  }
  fake.calls.length = 0; // keep memory flat between phases
  return {
    ackMs,
    redrawMs,
    sentAt,
    startedAt: begin,
    elapsedMs,
    errors,
    throughput: (total / elapsedMs) * 1000,
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
