import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { projectRoot, tsxLoader } from "../../src/paths.ts";
import { TEST_DATABASE_URL } from "../records/harnesses.ts";

// A bench stopped half-way — Ctrl-C (SIGINT to the whole process group), a
// SIGINT or SIGTERM to the bench alone, its app dying — leaves no temp dir,
// no schema and no process behind, and says what happened in one line. Each
// bench runs with counts large enough to be mid-run when it is stopped and
// small enough to be cheap; the test stops it as soon as it is under way.

/** Parent of every process, from /proc/<pid>/stat ("pid (comm) state ppid …"); zombies count as gone. */
function processTable(): Map<number, { ppid: number; zombie: boolean }> {
  const table = new Map<number, { ppid: number; zombie: boolean }>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      table.set(Number(name), { ppid: Number(ppid), zombie: state === "Z" || state === "X" });
    } catch {
      // Gone between readdir and read.
    }
  }
  return table;
}

/** Every live process below `root`: its children, their children… */
function descendants(root: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [pid, { ppid, zombie }] of table)
      if (ppid === parent && !zombie && !found.includes(pid)) {
        found.push(pid);
        queue.push(pid);
      }
  }
  return found;
}

function alive(pid: number): boolean {
  const entry = processTable().get(pid);
  return entry !== undefined && !entry.zombie;
}

/** The process's command line, for a readable failure. */
function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "(gone)";
  }
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Bench {
  child: ChildProcess;
  pid: number;
  /** The bench's TMPDIR: its temp dir is made in here. */
  tmp: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Array<{ bench: Bench; pids: number[] }> = [];

/** Starts a bench in its own process group (as a shell does), with a TMPDIR of its own. */
function startBench(script: string, args: string[], env: Record<string, string | undefined> = {}): Bench {
  const tmp = mkdtempSync(join(tmpdir(), "bench-cleanup-test-"));
  const vars: Record<string, string | undefined> = { ...process.env, TMPDIR: tmp, NO_COLOR: "1", ...env };
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete vars[k];
  const child = spawn(process.execPath, ["--import", tsxLoader, join(projectRoot, script), ...args], {
    cwd: projectRoot,
    env: vars,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d;
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d;
  });
  const closed = new Promise((resolve) => child.once("close", resolve));
  // Its exit, once its output is read: a survivor holding its stderr open keeps "close" away, so not forever.
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  ).then(async (status) => {
    await Promise.race([closed, new Promise((r) => setTimeout(r, 3_000))]);
    return status;
  });
  const bench = { child, pid: child.pid as number, tmp, stdout: () => out, stderr: () => err, exit };
  started.push({ bench, pids: [] });
  return bench;
}

/** The bench's processes below it, remembered so that afterEach can stop any left over. */
function snapshot(bench: Bench): number[] {
  const pids = descendants(bench.pid);
  const entry = started.find((s) => s.bench === bench);
  if (entry) entry.pids = pids;
  return pids;
}

function benchDir(bench: Bench, prefix: string): string | undefined {
  const name = readdirSync(bench.tmp).find((n) => n.startsWith(prefix));
  return name === undefined ? undefined : join(bench.tmp, name);
}

/** The node processes the bench started itself (apps, sink), not esbuild services. */
function nodeChildren(bench: Bench): number[] {
  return descendants(bench.pid).filter(
    (pid) => processTable().get(pid)?.ppid === bench.pid && !commandOf(pid).includes("esbuild"),
  );
}

/** The app (src/main.ts) among them, once it runs. */
function appOf(bench: Bench): number | undefined {
  return nodeChildren(bench).find((pid) => commandOf(pid).includes("src/main.ts"));
}

async function expectAllGone(pids: number[]): Promise<void> {
  // Grandchildren (esbuild services) go a moment after their parent.
  const survivors = await until(
    "the bench's processes to exit",
    () => {
      const left = pids.filter(alive);
      return left.length === 0 ? [] : undefined;
    },
    5_000,
  ).catch(() => pids.filter(alive));
  expect(survivors.map((pid) => `${pid} ${commandOf(pid)}`)).toEqual([]);
}

function expectOneLine(stderr: string, line: RegExp): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  // The clicks that fail as the apps stop are not reported as the bench failing.
  expect(stderr).not.toContain("failed");
  // The bench's own last word; an app's log lines may come before it.
  expect(stderr.trimEnd().split("\n").at(-1)).toMatch(line);
}

afterEach(() => {
  // A failed test must not leave its bench behind either.
  for (const { bench, pids } of started.splice(0)) {
    for (const pid of [bench.pid, ...pids, ...descendants(bench.pid)])
      if (alive(pid)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    rmSync(bench.tmp, { recursive: true, force: true });
  }
});

describe.skipIf(!existsSync("/proc/self/stat"))("an interrupted bench cleans up after itself", () => {
  const VERSUS = ["--rounds", "100", "--clicks", "500", "--warmup", "0", "--concurrency", "2"];

  /** versus-bolt once its four apps and the sink are up and a round is done. */
  async function versusBoltUnderWay() {
    const bench = startBench("bench/versus-bolt.bench.ts", VERSUS);
    await until("the first round", () => /round 1 /.test(bench.stderr()));
    const dir = benchDir(bench, "versus-bolt-") as string;
    expect(dir).toBeDefined();
    // Four apps and the response sink, each node with tsx (plus esbuild services below them).
    expect(nodeChildren(bench)).toHaveLength(5);
    return { bench, dir, pids: snapshot(bench) };
  }

  it("versus-bolt, Ctrl-C (SIGINT to the process group): exit 130, no temp dir, no app or sink left", async () => {
    const { bench, dir, pids } = await versusBoltUnderWay();
    process.kill(-bench.pid, "SIGINT");
    expect(await bench.exit).toEqual({ code: 130, signal: null });
    expectOneLine(bench.stderr(), new RegExp(`^interrupted; cleaned up ${dir}$`));
    expect(existsSync(dir)).toBe(false);
    await expectAllGone(pids);
  });

  it("versus-bolt, SIGTERM to the bench alone: exit 143, and it stops its apps and sink itself", async () => {
    const { bench, dir, pids } = await versusBoltUnderWay();
    process.kill(bench.pid, "SIGTERM");
    expect(await bench.exit).toEqual({ code: 143, signal: null });
    expectOneLine(bench.stderr(), new RegExp(`^interrupted; cleaned up ${dir}$`));
    expect(existsSync(dir)).toBe(false);
    await expectAllGone(pids);
  });

  it("versus-bolt, SIGKILL to the bench alone: its apps and sink exit on their own", async () => {
    const { bench, pids } = await versusBoltUnderWay();
    process.kill(bench.pid, "SIGKILL");
    expect(await bench.exit).toEqual({ code: null, signal: "SIGKILL" });
    // The temp dir cannot be helped (afterEach removes it); the processes can.
    await expectAllGone(pids);
  });

  // Offered slowly, so the run lasts minutes and costs little CPU.
  const CLICKS = ["--clicks", "20000", "--rate", "100", "--warmup", "0", "--concurrency", "2"];
  const MEMORY = ["--consultations", "100000", "--checkpoint", "1000", "--sample-every", "100"];

  /** A bench with one app (clicks, memory), once the app has opened its records in the temp dir. */
  async function appBenchUnderWay(script: string, args: string[], prefix: string) {
    const bench = startBench(script, args);
    const dir = await until("the temp dir", () => benchDir(bench, prefix));
    await until("the app's records", () => existsSync(join(dir, "records.db")));
    const app = await until("the app", () => appOf(bench));
    return { bench, dir, app, pids: snapshot(bench) };
  }

  it("clicks, SIGINT to the bench alone: exit 130, no temp dir, no app left", async () => {
    const { bench, dir, pids } = await appBenchUnderWay("bench/clicks.bench.ts", CLICKS, "clicks-bench-");
    process.kill(bench.pid, "SIGINT");
    expect(await bench.exit).toEqual({ code: 130, signal: null });
    expectOneLine(bench.stderr(), new RegExp(`^interrupted; cleaned up ${dir}$`));
    expect(existsSync(dir)).toBe(false);
    await expectAllGone(pids);
  });

  it("memory, SIGTERM to the bench alone: exit 143, no temp dir, no app left", async () => {
    const { bench, dir, pids } = await appBenchUnderWay("bench/memory.bench.ts", MEMORY, "memory-bench-");
    process.kill(bench.pid, "SIGTERM");
    expect(await bench.exit).toEqual({ code: 143, signal: null });
    expectOneLine(bench.stderr(), new RegExp(`^interrupted; cleaned up ${dir}$`));
    expect(existsSync(dir)).toBe(false);
    await expectAllGone(pids);
  });

  it("memory, Ctrl-C (SIGINT to the process group): exit 130, no temp dir, no app left", async () => {
    const { bench, dir, pids } = await appBenchUnderWay("bench/memory.bench.ts", MEMORY, "memory-bench-");
    process.kill(-bench.pid, "SIGINT");
    expect(await bench.exit).toEqual({ code: 130, signal: null });
    expectOneLine(bench.stderr(), new RegExp(`^interrupted; cleaned up ${dir}$`));
    expect(existsSync(dir)).toBe(false);
    await expectAllGone(pids);
  });

  it("records (SQLite), SIGINT to the bench alone: exit 130, no temp dir", async () => {
    const bench = startBench("bench/records.bench.ts", [], { TEST_DATABASE_URL: undefined });
    const dir = await until("the temp dir", () => benchDir(bench, "records-bench-"), 20_000);
    process.kill(bench.pid, "SIGINT");
    expect(await bench.exit).toEqual({ code: 130, signal: null });
    expectOneLine(bench.stderr(), new RegExp(`^interrupted; cleaned up ${dir}$`));
    expect(existsSync(dir)).toBe(false);
  });

  it.skipIf(TEST_DATABASE_URL === undefined)(
    "records (PostgreSQL), Ctrl-C during the PostgreSQL run: exit 130, its schema dropped",
    async () => {
      const bench = startBench("bench/records.bench.ts", []);
      const schema = `records_bench_${bench.pid}`;
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      try {
        const exists = async () =>
          (await admin.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", [schema]))
            .rowCount === 1;
        const deadline = Date.now() + 20_000;
        while (!(await exists())) {
          if (Date.now() > deadline) throw new Error(`schema ${schema} never appeared`);
          await new Promise((r) => setTimeout(r, 25));
        }
        process.kill(-bench.pid, "SIGINT");
        expect(await bench.exit).toEqual({ code: 130, signal: null });
        expectOneLine(bench.stderr(), new RegExp(`^interrupted; cleaned up .*schema ${schema}$`));
        expect(await exists()).toBe(false);
        expect(readdirSync(bench.tmp).filter((n) => n.startsWith("records-bench-"))).toEqual([]);
      } finally {
        // Failed or not, the test database keeps no bench schema.
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      }
    },
  );
});

describe.skipIf(!existsSync("/proc/self/stat"))("a bench whose app dies", () => {
  it.each([
    ["bench/clicks.bench.ts", ["--clicks", "20000", "--rate", "100", "--warmup", "0"], "clicks-bench-"],
    ["bench/memory.bench.ts", ["--consultations", "100000", "--checkpoint", "50000"], "memory-bench-"],
  ])("%s says so in one line, exits 1 and removes its temp dir", async (script, args, prefix) => {
    const bench = startBench(script, args);
    const dir = await until("the temp dir", () => benchDir(bench, prefix));
    await until("the app's records", () => existsSync(join(dir, "records.db")));
    const app = await until("the app", () => appOf(bench));
    snapshot(bench);
    // Well into the clicks or consultations.
    await new Promise((r) => setTimeout(r, 500));
    process.kill(app, "SIGKILL");
    expect(await bench.exit).toEqual({ code: 1, signal: null });
    const name = script.replace(/^bench\/(.*)\.bench\.ts$/, "bench:$1");
    expect(bench.stderr()).not.toMatch(/\n\s+at /);
    expect(bench.stderr().trimEnd().split("\n")).toEqual([expect.stringMatching(`^${name} failed: `)]);
    expect(existsSync(dir)).toBe(false);
  });
});
