import { fork } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../../src/paths.ts";
import { trackChild } from "./cleanup.ts";
import { listeningPort } from "./clickLoad.ts";

/**
 * Starts bench/lib/responseSink.ts, the process that takes the apps'
 * response_url posts so the load generator's process does no work for them.
 * A sink that dies or stops answering ends the run with an error, never a hang.
 */
export function forkResponseSink() {
  const child = fork(join(projectRoot, "bench/lib/responseSink.ts"), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  trackChild(child);

  function ask<T>(question: "count" | "take"): Promise<T> {
    return new Promise((resolve, reject) => {
      const gone = () =>
        done(new Error(`the response sink exited (${child.signalCode ?? `code ${child.exitCode}`})`));
      const timer = setTimeout(() => done(new Error("the response sink did not answer for 10 s")), 10_000);
      const done = (error?: Error, answer?: unknown) => {
        clearTimeout(timer);
        child.off("exit", gone);
        child.off("message", onAnswer);
        if (error) reject(error);
        else resolve(answer as T);
      };
      const onAnswer = (answer: unknown) => done(undefined, answer);
      child.once("message", onAnswer);
      child.once("exit", gone);
      if (child.exitCode !== null || child.signalCode !== null || !child.connected) gone();
      else child.send(question);
    });
  }

  return {
    child,
    /** The sink's origin (`http://127.0.0.1:N`) once it listens. */
    origin: async () => `http://127.0.0.1:${await listeningPort(child, "the response sink")}`,
    /** The posts received since the last take, as [path, Date.now() at arrival]. */
    take: () => ask<[string, number][]>("take"),
    /** Waits until `count` posts have arrived in all; returns performance.now() then. */
    async reaches(count: number): Promise<number> {
      const deadline = performance.now() + 30_000;
      while ((await ask<number>("count")) < count) {
        if (performance.now() > deadline) throw new Error("redraws stopped arriving at the sink for 30 s");
        await new Promise((r) => setTimeout(r, 2));
      }
      return performance.now();
    },
  };
}
