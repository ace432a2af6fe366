import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";

/**
 * What a bench leaves behind if it stops half-way: its child processes (the
 * apps, the response sink), its temp dir, a PostgreSQL schema. A bench
 * registers each here as it makes it; cleanUp() undoes them (children first,
 * newest first, each with SIGTERM and its own graceful shutdown; then the
 * other steps, newest first) and is what the bench's `finally` awaits.
 * SIGINT (Ctrl-C) or SIGTERM runs the same cleanup, the children killed at
 * once, says so in one line on stderr and exits 130 or 143, so neither a
 * temp dir nor a child survives an interrupted bench.
 *
 * Importing this module installs the signal handlers; clickLoad.ts and
 * sink.ts register the children they start.
 */

interface Step {
  run: () => unknown;
  /** What the step removes, named in the "interrupted" line (e.g. the temp dir). */
  what?: string;
}

/** A child asked to stop gets this long (its own graceful shutdown), then SIGKILL. */
const STOP_GRACE_MS = 10_000;

const children: ChildProcess[] = [];
const steps: Step[] = [];
const cleaned: string[] = [];
const failures: string[] = [];
let running: Promise<void> | undefined;
let interruptedBy: NodeJS.Signals | undefined;

/** Stops `child` with the bench (SIGTERM, SIGKILL if it lingers). Returns it. */
export function trackChild<T extends ChildProcess>(child: T): T {
  children.push(child);
  return child;
}

/** Registers a step for cleanUp(); `what` names what it removes in the "interrupted" line. */
export function atCleanup(run: () => unknown, what?: string): void {
  steps.push(what === undefined ? { run } : { run, what });
}

/** Has cleanUp() remove `dir` (a bench's temp dir) with all in it. Returns it. */
export function removeAtCleanup(dir: string): string {
  atCleanup(() => rmSync(dir, { recursive: true, force: true }), dir);
  return dir;
}

/** True once SIGINT or SIGTERM has started the cleanup: what fails after that is its doing, not the bench's. */
export function interrupted(): boolean {
  return interruptedBy !== undefined;
}

/**
 * A failed run in one line on stderr, exit code 1 — nothing printed when an
 * interruption made it fail (stopping the apps under load fails the clicks).
 */
export async function reportFailure(bench: string, error: unknown): Promise<void> {
  // Ctrl-C reaches the whole process group: the app can die, and fail the run, before this
  // process's own SIGINT handler has run. A moment's wait lets that handler go first.
  await new Promise((resolve) => setTimeout(resolve, 100));
  if (interrupted()) return;
  process.exitCode = 1;
  process.stderr.write(`${bench} failed: ${error instanceof Error ? error.message : String(error)}\n`);
}

/**
 * Stops the children and runs the registered steps, each once. Calls while
 * one is under way share it; a later call runs what was registered since.
 */
export function cleanUp(): Promise<void> {
  running ??= (async () => {
    // With nothing registered the body would finish at once, and its finally clear `running`
    // before `??=` assigns it: that resolved promise would then answer every later call.
    await null;
    try {
      for (;;) {
        if (interrupted() && children.length > 0) {
          // No graceful shutdown when interrupted: an app under load can take its full 10 s
          // draining, and what it would save is about to be removed anyway.
          await Promise.all(children.splice(0).map(kill));
          continue;
        }
        const child = children.pop();
        if (child) {
          await stop(child);
          continue;
        }
        const step = steps.pop();
        if (!step) break;
        try {
          await step.run();
          if (step.what !== undefined) cleaned.push(step.what);
        } catch (error) {
          const failure = `${step.what ?? "a cleanup step"}: ${(error as Error).message}`;
          // Interrupted, the one "interrupted" line names it; otherwise it is said here.
          if (interrupted()) failures.push(failure);
          else process.stderr.write(`could not clean up ${failure}\n`);
        }
      }
    } finally {
      running = undefined;
    }
  })();
  return running;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function kill(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGKILL");
  await gone;
}

async function stop(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const lingered = await Promise.race([
    gone.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), STOP_GRACE_MS);
    }),
  ]);
  clearTimeout(timer);
  if (lingered && !exited(child)) {
    child.kill("SIGKILL");
    await gone;
  }
}

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  // A second Ctrl-C while cleaning up waits for the first cleanup rather than cutting it short.
  if (interruptedBy) return;
  interruptedBy = signal;
  // The bench's own work fails as its apps stop: those failures are not news, and must not
  // end the process (a top-level rejection would) before the cleanup has finished.
  process.on("uncaughtException", () => {});
  await cleanUp();
  const what = cleaned.length > 0 ? `cleaned up ${cleaned.join(" and ")}` : "nothing to clean up";
  const failed = failures.length > 0 ? `; could not clean up ${failures.join("; ")}` : "";
  process.stderr.write(`interrupted; ${what}${failed}\n`);
  process.exit(signal === "SIGINT" ? 130 : 143);
}

// Only in a bench's own process: a test importing these helpers runs in a vitest worker, whose
// signals are the runner's (it would otherwise exit 143 saying "interrupted" at every teardown).
if (/\.(bench|check)\.ts$/.test(process.argv[1] ?? "")) {
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
