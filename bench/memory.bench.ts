/**
 * Resident memory of the app after 10,000 and after 100,000 completed
 * consultations driven over HTTP (slash command, then the answer clicks), with
 * records written to SQLite. Target: less than 20% growth from 10k to 100k.
 *
 * RSS rises and falls with V8's heap (a sawtooth of ~45 MiB), so one sample
 * at each point says more about where in the sawtooth it fell than about
 * growth. RSS is read every --sample-every consultations, and the verdict
 * compares the median of the 5 samples around the checkpoint (8k-12k by
 * default) with the median of the last 5 (96k-100k).
 *
 *   npm run bench:memory [-- --consultations 100000 --checkpoint 10000 --concurrency 20 --sample-every 1000]
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../src/paths.ts";
import { blockActions, slashCommand } from "../src/slack/fakeSlack/payloads.ts";
import { readCounts, refuse } from "./lib/args.ts";
import { cleanUp, removeAtCleanup, reportFailure } from "./lib/cleanup.ts";
import { clientFor, machine, startAppProcess, startBenchFake } from "./lib/clickLoad.ts";
import { median } from "./lib/median.ts";

const USAGE =
  "usage: npm run bench:memory [-- --consultations 100000 --checkpoint 10000 --concurrency 20 --sample-every 1000]\n" +
  "  compares the median RSS of the 5 samples around --checkpoint with that of the last 5 samples\n" +
  "  (so --consultations must be more than --checkpoint + 6 × --sample-every)";
const {
  consultations: TOTAL,
  checkpoint: CHECKPOINT,
  concurrency: CONCURRENCY,
  "sample-every": EVERY,
} = readCounts(USAGE, {
  consultations: { default: 100_000, min: 1, max: 1_000_000 },
  checkpoint: { default: 10_000, min: 1, max: 1_000_000 },
  concurrency: { default: 20, min: 1, max: 1000 },
  "sample-every": { default: 1_000, min: 1, max: 100_000 },
});
// The verdict compares the samples within 2 × sample-every of the checkpoint with those of the
// last 4 × sample-every consultations: both windows must lie in the run, the first before the second.
if (TOTAL <= CHECKPOINT + 6 * EVERY)
  refuse(
    `--consultations must be more than --checkpoint + 6 × --sample-every (${CHECKPOINT + 6 * EVERY} here), so that the samples around the checkpoint come before the last 5 (got --consultations ${TOTAL})`,
    USAGE,
  );

// Three short consultations for every long one; users and channels vary so per-user state would show.
const PATHS = [
  [["validity", "expired"]],
  [["validity", "expired"]],
  [["validity", "expired"]],
  [
    ["validity", "valid"],
    ["current_server", "our_shared"],
    ["destination_server", "dedicated_vps_cloud"],
    ["installer", "self"],
  ],
];

// Ctrl-C, a kill or a failure (the app dying): cleanUp() stops the app, closes the fake and removes dir.
const dir = removeAtCleanup(mkdtempSync(join(tmpdir(), "memory-bench-")));
const fake = await startBenchFake();
const app = await startAppProcess(join(projectRoot, "src/main.ts"), fake, {
  SQLITE_PATH: join(dir, "records.db"),
  LOG_LEVEL: "info",
});
const client = clientFor(app.port, CONCURRENCY);
// startAppProcess runs the app as `node --import <tsx loader>`, so the child is the app itself.
// Its own child, if any, is esbuild's --service process (~17 MB), not the app: not counted.
const appPid = app.child.pid;
const rss = () => {
  const status = readFileSync(`/proc/${appPid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
};

async function consult(i: number): Promise<void> {
  const user = `U${(i % 5000).toString(36).toUpperCase().padStart(5, "0")}`;
  const channel = `C${(i % 300).toString(36).toUpperCase().padStart(4, "0")}`;
  const path = PATHS[i % PATHS.length] ?? [];
  const start = fake.responseUrl({ channel, user });
  // Wait registered before sending: the redraw can arrive before the HTTP answer. Awaited
  // together with the request, so a failed request leaves no wait to reject unheard later.
  const started = fake.nextCall((c) => c.responseUrl === start, 10_000);
  await Promise.all([client.command(slashCommand({ user, channel, responseUrl: start })), started]);
  for (const [question, option] of path) {
    const message = fake.messageFor(start);
    if (!message) throw new Error("no consultation message");
    const url = fake.responseUrl({ channel, user, messageTs: message.ts });
    const redrawn = fake.nextCall((c) => c.responseUrl === url, 10_000);
    const clicked = client
      .interaction(
        blockActions({ message, actionId: `answer:${question}:${option}`, user, responseUrl: url }),
      )
      .then((res) => {
        if (res.status !== 200) throw new Error(`click answered ${res.status}`);
      });
    await Promise.all([clicked, redrawn]);
  }
  const done = fake.messageFor(start);
  if (!done || !JSON.stringify(done.blocks).includes("route: "))
    throw new Error("consultation did not complete");
  // The fake keeps every message; the app must not. Forget this one so only the app's memory grows, if anything.
  fake.messages.splice(fake.messages.indexOf(done), 1);
  // Waits are registered before each request, so the fake's call log can go (it is scanned on every wait).
  if (fake.calls.length > 1000) fake.calls.length = 0;
}

const samples: Array<{ completed: number; rssMiB: number }> = [{ completed: 0, rssMiB: rss() }];
let next = 0;
let completed = 0;
const began = performance.now();
const worker = async () => {
  while (next < TOTAL) {
    const i = next++;
    await consult(i);
    completed++;
    if (completed % EVERY !== 0 && completed % CHECKPOINT !== 0 && completed !== TOTAL) continue;
    const rssMiB = rss();
    samples.push({ completed, rssMiB });
    // Progress shows the very sample the verdict uses.
    if (completed % CHECKPOINT === 0)
      process.stderr.write(`${completed} consultations: RSS ${rssMiB.toFixed(1)} MiB\n`);
  }
};
try {
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
} catch (error) {
  // The app died, say: one line, not a stack trace. The other workers' waits on the fake
  // are still pending (up to 10 s): exit once cleaned up rather than wait for them.
  await reportFailure("bench:memory", error);
  await cleanUp();
  process.exit(1);
}
const seconds = (performance.now() - began) / 1000;
/** The samples taken while completed consultations were within [from, to], and their median. */
const windowOf = (from: number, to: number) => {
  const inside = samples.filter((s) => s.completed > 0 && s.completed >= from && s.completed <= to);
  const mib = inside.map((s) => s.rssMiB);
  const span = `${inside[0]?.completed ?? from}-${inside.at(-1)?.completed ?? to}`;
  return { n: inside.length, span, median: median(mib), min: Math.min(...mib), max: Math.max(...mib) };
};
const early = windowOf(CHECKPOINT - 2 * EVERY, CHECKPOINT + 2 * EVERY);
const late = windowOf(TOTAL - 4 * EVERY, TOTAL);
const growth = (late.median - early.median) / early.median;
const at = (n: number) => samples.find((s) => s.completed === n)?.rssMiB ?? Number.NaN;
const describe = (w: typeof early) =>
  `median ${w.median.toFixed(1)} MiB of ${w.n} samples at ${w.span} (range ${w.min.toFixed(1)}-${w.max.toFixed(1)})`;
console.log(
  [
    `app process ${appPid}; memory: ${TOTAL} completed consultations over HTTP in ${seconds.toFixed(0)} s (records in SQLite, concurrency ${CONCURRENCY})`,
    `RSS (MiB) read every ${EVERY} consultations; RSS at start ${samples[0]?.rssMiB.toFixed(1)} MiB`,
    `around ${CHECKPOINT}: ${describe(early)}`,
    `at the end: ${describe(late)}`,
    `growth of the median, around ${CHECKPOINT} to the last samples: ${(growth * 100).toFixed(1)}% (target < 20%: ${growth < 0.2 ? "met" : "NOT met"})`,
    `single samples, for comparison: after ${CHECKPOINT} ${at(CHECKPOINT).toFixed(1)} MiB, after ${TOTAL} ${at(TOTAL).toFixed(1)} MiB (${(((at(TOTAL) - at(CHECKPOINT)) / at(CHECKPOINT)) * 100).toFixed(1)}%)`,
    `all samples (consultations=MiB): ${samples.map((s) => `${s.completed}=${s.rssMiB.toFixed(0)}`).join(" ")}`,
    `machine: ${machine()}; date: ${new Date().toISOString()}`,
  ].join("\n"),
);
client.close();
await cleanUp();
