import { afterEach, describe, expect, it, vi } from "vitest";
import type { RecordStore } from "../../src/records/types.ts";
import { postgresHarness, TEST_DATABASE_URL } from "./harnesses.ts";

/**
 * Instances sharing PostgreSQL run on several machines whose clocks can
 * disagree. A claim (an event's answer, a handoff's staff post) one instance
 * just took must not look expired to another whose clock runs ahead, or both
 * answer. (SQLite needs no such test: every instance on one file shares one
 * machine's clock.)
 */
describe.skipIf(TEST_DATABASE_URL === undefined)("PostgreSQL claims use the server's clock", () => {
  const harness = postgresHarness(TEST_DATABASE_URL as string);
  const stores: RecordStore[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await harness.cleanup();
  });

  async function twoInstances() {
    const a = await harness.fresh();
    const b = await harness.another(a);
    stores.push(a, b);
    return [a, b] as const;
  }

  /** Runs `fn` as an instance whose clock is `aheadMs` ahead of everyone else's. */
  async function withClockAhead<T>(aheadMs: number, fn: () => Promise<T>): Promise<T> {
    const now = Date.now;
    const spy = vi.spyOn(Date, "now").mockImplementation(() => now() + aheadMs);
    try {
      return await fn();
    } finally {
      spy.mockRestore();
    }
  }

  it("a delivery claimed by one instance stays claimed for one whose clock is 11 minutes ahead", async () => {
    const [a, b] = await twoInstances();
    expect(await a.claimDelivery("event:EvSkew", "U1", 600_000)).toBe(true);
    expect(await withClockAhead(11 * 60_000, () => b.claimDelivery("event:EvSkew", "U1", 600_000))).toBe(
      false,
    );
    // Nor does an instance whose clock is a day ahead prune the claims just made.
    const dayAhead = 86_400_000 + 60_000;
    expect(await withClockAhead(dayAhead, () => b.pruneDeliveries())).toBe(0);
    expect(await a.claimDelivery("event:EvSkew", "U1", 600_000)).toBe(false);
  });

  it("a handoff's post claimed by one instance is not taken over by one whose clock is 2 minutes ahead", async () => {
    const [a, b] = await twoInstances();
    await a.createHandoff({
      id: "hSkew",
      consultationId: "C",
      workspace: "T1",
      channel: "D1",
      user: "U1",
      summary: "q1: yes",
      staffChannel: "C-STAFF",
    });
    const token = await a.claimHandoffPost("hSkew");
    expect(token).not.toBeNull();
    expect(await withClockAhead(2 * 60_000, () => b.claimHandoffPost("hSkew"))).toBeNull();
    // Its own token still releases it, whatever the releasing instance's clock.
    await withClockAhead(-2 * 60_000, () => a.releaseHandoffPost("hSkew", token as string));
    expect(await b.claimHandoffPost("hSkew")).not.toBeNull();
  });
});
