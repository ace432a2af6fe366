/**
 * Replays 10,000 answer-map cases through `npm run replay` and reports the
 * wall time of the whole command (start-up, flow compile, parsing, replay).
 * Target: under 5 s. Run: npm run bench:replay [-- --cases N]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { answerQuestion, startConsultation } from "../src/engine/index.ts";
import { loadRealFlow } from "../test/support/flow.ts";
import { readCounts } from "./lib/args.ts";
import { cleanUp, removeAtCleanup, reportFailure, trackChild } from "./lib/cleanup.ts";
import { median } from "./lib/median.ts";

const { cases: total, runs } = readCounts("usage: npm run bench:replay [-- --cases 10000 --runs 3]", {
  cases: { default: 10_000, min: 1, max: 100_000 },
  runs: { default: 3, min: 1, max: 100 },
});
const compiled = loadRealFlow();

// Random full answer maps (every question answered, most entries never asked),
// with the expectation taken from one engine run: this measures speed, the
// correctness of the expectations is what test/engine/modelBased.test.ts checks.
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const cases = [];
for (let i = 0; i < total; i++) {
  const answers: Record<string, string> = {};
  for (const q of compiled.flow.questions)
    answers[q.id] = q.options[Math.floor(random() * q.options.length)]?.id ?? "";
  let at = startConsultation(compiled, "ja");
  while (at.step.kind === "question") {
    const next = answerQuestion(
      compiled,
      at.consultation,
      at.step.question.id,
      answers[at.step.question.id] ?? "",
    );
    if (!next.ok) throw new Error(next.error.message);
    at = next.value;
  }
  const { step } = at;
  cases.push({
    name: `random case ${i + 1}`,
    answers,
    expect: {
      route: step.route,
      fee: step.fee.code,
      ...(step.installer ? { installer: step.installer } : {}),
    },
  });
}
const dir = mkdtempSync(join(tmpdir(), "replay-bench-"));
// Ctrl-C, a kill or a failure: cleanUp() stops the replay under way and removes dir (unless KEEP).
if (!process.env.KEEP) removeAtCleanup(dir);
const file = join(dir, "cases.yaml");

/** One `npm run replay` of the file, as a child this process can stop; its output. */
const replay = () =>
  new Promise<string>((resolve, reject) => {
    // Not execFileSync: this process must stay free to take Ctrl-C while the replay runs.
    const child = trackChild(
      spawn(process.execPath, ["--import", "tsx", "src/cli/replay.ts", file], {
        stdio: ["ignore", "pipe", "inherit"],
      }),
    );
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("close", (code, signal) =>
      code === 0 ? resolve(output) : reject(new Error(`the replay exited with ${signal ?? `code ${code}`}`)),
    );
  });

const times: number[] = [];
let summary = "";
try {
  writeFileSync(file, stringify({ cases }));
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    summary = (await replay()).trim();
    times.push(performance.now() - started);
  }
} catch (error) {
  await reportFailure("bench:replay", error);
} finally {
  await cleanUp();
}
if (process.exitCode === 1) process.exit(1);
if (process.env.KEEP) console.log(file);
times.sort((a, b) => a - b);
const cpu = cpus()[0]?.model ?? "unknown CPU";
process.stdout.write(
  `${[
    `replay of ${total} answer-map cases (whole command, ${runs} runs): best ${((times[0] ?? 0) / 1000).toFixed(2)} s, median ${(median(times) / 1000).toFixed(2)} s (target < 5 s)`,
    `last summary line: ${summary.split("\n").at(-1)}`,
    `machine: ${cpu}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
  ].join("\n")}\n`,
);
