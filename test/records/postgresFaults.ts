import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { createBufferedRecorder } from "../../src/records/bufferedRecorder.ts";
import { PostgresStore } from "../../src/records/postgresStore.ts";
import { syntheticEvent } from "./fixture.ts";
import { dropSchemas, uniqueSchema } from "./harnesses.ts";
import { startProxy, viaProxy } from "./tcpProxy.ts";
import { memoryLogger, waitFor } from "./waitFor.ts";

const run = promisify(execFile);

/** Debian's cluster serving `url`, when this process may restart it (root, pg_ctlcluster present). */
function debianCluster(url: string): { version: string; name: string } | string {
  if (process.getuid?.() !== 0) return "not running as root";
  const port = new URL(url).port || "5432";
  let listing: string;
  try {
    listing = execFileSync("pg_lsclusters", ["-h"], { encoding: "utf8" });
  } catch {
    return "pg_lsclusters not found (not Debian's PostgreSQL packaging)";
  }
  for (const line of listing.trim().split("\n")) {
    const [version, name, clusterPort] = line.trim().split(/\s+/);
    if (version && name && clusterPort === port) return { version, name };
  }
  return `no local Debian cluster listens on port ${port}`;
}

/** Tests that break PostgreSQL connections; kept in the file that uses PostgreSQL so they never overlap it. */
export function describePostgresFaults(url: string | undefined) {
  describe.skipIf(url === undefined)("PostgreSQL faults", () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    async function schemaStore(connectionString: string, onError?: (err: Error) => void) {
      const schema = uniqueSchema();
      const store = new PostgresStore({
        connectionString,
        schema,
        poolSize: 4,
        connectTimeoutMs: 2000,
        ...(onError ? { onError } : {}),
      });
      cleanups.push(async () => {
        await store.close();
        await dropSchemas(url as string, [schema]);
      });
      await store.migrate();
      return store;
    }

    it("buffered recorder: events wait while connections are refused, then are written once", async () => {
      const target = new URL(url as string);
      const proxy = await startProxy({ host: target.hostname, port: Number(target.port || 5432) });
      cleanups.push(() => proxy.close());
      const lost: Error[] = [];
      const store = await schemaStore(viaProxy(url as string, proxy.port), (e) => lost.push(e));
      const logger = memoryLogger();
      const recorder = createBufferedRecorder({ store, logger, retryMs: 20, maxRetryMs: 100 });
      recorder.record(syntheticEvent(0));
      await waitFor("first event written", () => recorder.stats().written === 1);

      await proxy.down();
      for (let i = 1; i <= 60; i++) expect(() => recorder.record(syntheticEvent(i))).not.toThrow();
      recorder.record(syntheticEvent(5));
      await waitFor("two failed attempts", () => recorder.stats().failures >= 2);
      expect(recorder.stats()).toMatchObject({ queued: 61, written: 1, dropped: 0 });

      await proxy.up();
      await waitFor("queue drained", () => recorder.stats().queued === 0);
      expect(await store.countEvents()).toBe(61);
      expect(await recorder.close()).toMatchObject({ queued: 0, written: 62, dropped: 0 });
      const password = decodeURIComponent(target.password);
      if (password !== "") for (const l of logger.lines) expect(l.msg).not.toContain(password);
    });

    it("a connection lost while a report's snapshot holds it between queries: the report fails, the process does not", async () => {
      const target = new URL(url as string);
      const proxy = await startProxy({ host: target.hostname, port: Number(target.port || 5432) });
      cleanups.push(() => proxy.close());
      const store = await schemaStore(viaProxy(url as string, proxy.port), () => {});
      // Enough consultations for a second page, so the snapshot's connection is held between queries.
      const events = Array.from({ length: 2_500 }, (_, i) => ({
        ...syntheticEvent(i),
        consultationId: `c${i}`,
      }));
      await store.record(events);
      // pg emits 'error' on a checked-out client whose connection ends; unheard, that ends the process.
      const uncaught: unknown[] = [];
      const onUncaught = (e: unknown) => uncaught.push(e);
      process.on("uncaughtException", onUncaught);
      try {
        const pages = store.reportPages({ since: new Date(0) })[Symbol.asyncIterator]();
        expect((await pages.next()).done).toBe(false);
        await proxy.down();
        await new Promise((r) => setTimeout(r, 200));
        await expect(pages.next()).rejects.toThrow();
        expect(uncaught).toEqual([]);
        await proxy.up();
        // The pool dropped the dead connection: the store works again.
        expect(await store.countEvents()).toBe(events.length);
      } finally {
        process.off("uncaughtException", onUncaught);
      }
    });

    const cluster = url === undefined ? "no TEST_DATABASE_URL" : debianCluster(url);
    if (url !== undefined && typeof cluster === "string") {
      console.warn(`[records] PostgreSQL restart test SKIPPED: ${cluster}.`);
    }
    it.skipIf(typeof cluster === "string")(
      "survives a PostgreSQL restart under load: nothing crashes, nothing is lost uncounted",
      async () => {
        const { version, name } = cluster as { version: string; name: string };
        const lost: Error[] = [];
        const store = await schemaStore(url as string, (e) => lost.push(e));
        const logger = memoryLogger();
        const recorder = createBufferedRecorder({ store, logger, retryMs: 50, maxRetryMs: 400 });

        let n = 0;
        let statsFailures = 0;
        const load = setInterval(() => {
          for (let i = 0; i < 5; i++) recorder.record(syntheticEvent(n++));
          // Readers see errors during the restart; they must reject, not crash.
          if (n % 100 === 0) store.stats().catch(() => statsFailures++);
        }, 2);
        await new Promise((r) => setTimeout(r, 500));
        await run("pg_ctlcluster", [version, name, "restart"]);
        await new Promise((r) => setTimeout(r, 1000));
        clearInterval(load);

        const final = await recorder.close(30_000);
        expect(final.queued).toBe(0);
        expect(await store.countEvents()).toBe(n - final.dropped);
        expect(final.dropped).toBe(0);
        // The restart really interrupted writes (otherwise this test proves nothing).
        expect(final.failures + lost.length + statsFailures).toBeGreaterThan(0);
        process.stdout.write(
          `[records] restart under load: ${n} events, ${final.failures} failed writes retried, ` +
            `${lost.length} idle connections lost, ${final.dropped} dropped\n`,
        );
      },
      60_000,
    );
  });
}
