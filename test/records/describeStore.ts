import { afterEach, describe, expect, it } from "vitest";
import type { SqlRunner } from "../../src/records/sqlRunner.ts";
import type { ConsultationEvent, NewHandoff, RecordStore } from "../../src/records/types.ts";
import { DAY1, DAY2, EVENTS, expectedStats } from "./fixture.ts";

/** Opens stores on a private database (a temp file, or a fresh PostgreSQL schema). */
export type StoreHarness = {
  /** A store on a new, empty database; migrated unless told otherwise (SQLite always migrates). */
  fresh(options?: { migrate?: boolean }): Promise<RecordStore>;
  /** A second store on the same database as `of` (another instance), not yet migrated. */
  another(of: RecordStore): Promise<RecordStore>;
  cleanup(): Promise<void>;
};

const handoff = (id: string, consultationId = "C", user = "U1"): NewHandoff => ({
  id,
  consultationId,
  workspace: "T1",
  channel: `D-${user}`,
  user,
  summary: "q1: yes\nq2: yes → we_install, fee F2",
  staffChannel: "C-STAFF",
});

/**
 * The one suite every store must pass. `harness` is null when the store is
 * not available here; the tests then show as skipped.
 */
export function describeStore(name: string, makeHarness: (() => StoreHarness) | null) {
  describe.skipIf(makeHarness === null)(`RecordStore: ${name}`, () => {
    let h: StoreHarness;
    const stores: RecordStore[] = [];
    const fresh = async (options?: { migrate?: boolean }) => {
      h ??= (makeHarness as () => StoreHarness)();
      const s = await h.fresh(options);
      stores.push(s);
      return s;
    };
    const another = async (of: RecordStore) => {
      const s = await h.another(of);
      stores.push(s);
      return s;
    };
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await h?.cleanup();
    });

    it("applies the versioned migrations once; re-running is a no-op", async () => {
      const store = await fresh();
      const applied = await store.appliedMigrations();
      expect(applied.map((m) => m.version)).toEqual([1, 2, 3, 4]);
      await store.record(EVENTS);
      await store.migrate();
      const again = await another(store);
      await again.migrate();
      expect(await again.appliedMigrations()).toEqual(applied);
      expect(await again.countEvents()).toBe(EVENTS.length);
    });

    it("records a duplicated or redelivered event once", async () => {
      const store = await fresh();
      const [first, second] = EVENTS as [ConsultationEvent, ConsultationEvent];
      expect(await store.record([first, first, second])).toBe(2);
      expect(await store.record(EVENTS)).toBe(EVENTS.length - 2);
      expect(await store.record(EVENTS)).toBe(0);
      expect(await store.countEvents()).toBe(EVENTS.length);
    });

    it("stores a NUL character in a client-given id the same way in both stores, so the batch is not refused", async () => {
      const store = await fresh();
      const [first, second] = EVENTS as [ConsultationEvent, ConsultationEvent];
      const hostile = { ...first, id: "nul-event", channel: "C\u0000X", workspace: "T\u0000" };
      expect(await store.record([hostile, second])).toBe(2);
      const handoff = await store.createHandoff({
        id: "h-nul",
        consultationId: first.consultationId,
        workspace: "T\u0000",
        channel: "C\u0000X",
        user: first.user,
        summary: "s\u0000",
        staffChannel: "CSTAFF",
      });
      expect(handoff.channel).toBe("C\uFFFDX");
      // Looked up and taken by ids with NUL in them too, instead of a database error.
      expect(await store.takeHandoff("h-nul", "S\u0000")).toMatchObject({
        ok: true,
        handoff: { assignee: "S\uFFFD" },
      });
      expect(await store.takeHandoff("h-nul", "S\u0000")).toMatchObject({ ok: true });
      expect(await store.getHandoff("h-\u0000")).toBeNull();
    });

    it("keeps every field of an event", async () => {
      const store = await fresh();
      await store.record(EVENTS);
      const rows = await store.report({ since: new Date(`${DAY1}T00:00:00Z`) });
      expect(rows.find((r) => r.id === "C")).toMatchObject({ handed_off: true, assignee: "S1", version: 3 });
    });

    it("stores each event's answer and details as given, and nothing where there are none", async () => {
      const store = await fresh();
      await store.record(EVENTS);
      // No query of the store reads these columns back: read the table itself.
      const runner = (store as unknown as { runner: SqlRunner }).runner;
      const rows = await runner.all<{ id: string; option: string | null; details: unknown }>(
        `SELECT id, option, details FROM consultation_events WHERE id IN ('A-1', 'B-0', 'C-4', 'D-4') ORDER BY id`,
      );
      // PostgreSQL returns its JSONB parsed, SQLite the JSON text.
      const parsed = rows.map((r) => ({
        ...r,
        details: typeof r.details === "string" ? JSON.parse(r.details) : r.details,
      }));
      expect(parsed).toEqual([
        { id: "A-1", option: "yes", details: null },
        { id: "B-0", option: null, details: null },
        { id: "C-4", option: null, details: { staffChannel: "C-STAFF", note: 'says "hi", ok?' } },
        { id: "D-4", option: 'x, "quoted"\nline', details: null },
      ]);
    });

    it("orders outcomes and fees of equal counts by value, a completion without a route or fee included", async () => {
      const store = await fresh();
      const base = EVENTS[0] as ConsultationEvent;
      const at = new Date(`${DAY1}T12:00:00Z`);
      // Read back in consultation order (T1, T2, T3): the reverse of the order by value.
      const completed = (c: string, rest: Partial<ConsultationEvent>): ConsultationEvent => ({
        ...base,
        id: `${c}-done`,
        consultationId: c,
        kind: "completed",
        at,
        ...rest,
      });
      await store.record([
        completed("T1", { route: "zz_route", fee: "Fz" }),
        completed("T2", { route: "mm_route", fee: "Fm" }),
        completed("T3", {}),
      ]);
      const s = await store.stats();
      expect(s.outcomes).toEqual([
        { route: "", count: 1 },
        { route: "mm_route", count: 1 },
        { route: "zz_route", count: 1 },
      ]);
      expect(s.fees).toEqual([
        { fee: "Fm", count: 1 },
        { fee: "Fz", count: 1 },
        { fee: "none", count: 1 },
      ]);
    });

    it("computes exact stats from a known set of events", async () => {
      const store = await fresh();
      await store.record(EVENTS);
      expect(await store.stats()).toEqual(expectedStats);
    });

    it("limits stats to a range (since inclusive, until exclusive)", async () => {
      const store = await fresh();
      await store.record(EVENTS);
      const day2 = { since: new Date(`${DAY2}T00:00:00Z`) };
      const s = await store.stats(day2);
      expect(s.perDay).toEqual([{ day: DAY2, started: 2, completed: 2 }]);
      expect(s.outcomes).toEqual([
        { route: "move_self", count: 1 },
        { route: "needs_check", count: 1 },
      ]);
      expect(s.medianSecondsToOutcome).toBe(105);
      const day1 = await store.stats({ until: new Date(`${DAY2}T00:00:00Z`) });
      expect(day1.perDay).toEqual([{ day: DAY1, started: 2, completed: 1 }]);
      expect(day1.dropOff).toEqual([
        { question: "q1", reached: 2, answered: 2 },
        { question: "q2", reached: 1, answered: 1 },
        { question: "q3", reached: 1, answered: 0 },
      ]);
      expect(day1.medianSecondsToOutcome).toBe(60);
      const empty = await store.stats({ since: new Date("2030-01-01T00:00:00Z") });
      expect(empty).toEqual({
        perDay: [],
        outcomes: [],
        fees: [],
        dropOff: [],
        medianSecondsToOutcome: null,
      });
    });

    it("reports one row per consultation started in the range", async () => {
      const store = await fresh();
      await store.record(EVENTS);
      await store.createHandoff(handoff("h-C"));
      await store.takeHandoff("h-C", "S1");
      const rows = await store.report({ since: new Date(`${DAY1}T00:00:00Z`) });
      expect(rows).toEqual([
        {
          id: "A",
          workspace: "T1",
          user: "U1",
          channel: "D-U1",
          flow: "ssl-migration",
          version: 3,
          started_at: `${DAY1}T10:00:00.000Z`,
          completed_at: `${DAY1}T10:01:00.000Z`,
          route: "move_self",
          installer: "customer",
          fee: "F0",
          answers: 2,
          shared: true,
          handed_off: false,
          assignee: "",
        },
        {
          id: "B",
          workspace: "T1",
          user: "U2",
          channel: "D-U2",
          flow: "ssl-migration",
          version: 3,
          started_at: `${DAY1}T11:00:00.000Z`,
          completed_at: "",
          route: "",
          installer: "",
          fee: "",
          answers: 1,
          shared: false,
          handed_off: false,
          assignee: "",
        },
        {
          id: "C",
          workspace: "T1",
          user: "U1",
          channel: "D-U1",
          flow: "ssl-migration",
          version: 3,
          started_at: `${DAY2}T09:00:00.000Z`,
          completed_at: `${DAY2}T09:05:00.000Z`,
          route: "move_self",
          installer: "customer",
          fee: "F0",
          answers: 2,
          shared: false,
          handed_off: true,
          assignee: "S1",
        },
        {
          id: "D",
          workspace: "T1",
          user: "U3",
          channel: "D-U3",
          flow: "ssl-migration",
          version: 3,
          started_at: `${DAY2}T10:00:00.000Z`,
          completed_at: `${DAY2}T10:01:30.000Z`,
          route: "needs_check",
          installer: "us",
          fee: "",
          answers: 3,
          shared: false,
          handed_off: false,
          assignee: "",
        },
      ]);
      const later = await store.report({
        since: new Date(`${DAY1}T10:30:00Z`),
        until: new Date(`${DAY2}T09:30:00Z`),
      });
      expect(later.map((r) => r.id)).toEqual(["B", "C"]);
    });

    it("erases every record of one user and says how many", async () => {
      const store = await fresh();
      await store.record(EVENTS);
      await store.createHandoff(handoff("h-C"));
      await store.createHandoff(handoff("h-B", "B", "U2"));
      const ofU1 = EVENTS.filter((e) => e.user === "U1").length;
      expect(ofU1).toBe(13);
      expect(await store.eraseUser("U1")).toBe(ofU1 + 1);
      expect(await store.eraseUser("U1")).toBe(0);
      expect(await store.getHandoff("h-C")).toBeNull();
      expect(await store.getHandoff("h-B")).not.toBeNull();
      expect(await store.countEvents()).toBe(EVENTS.length - ofU1);
      expect((await store.report({ since: new Date(0) })).map((r) => r.id)).toEqual(["B", "D"]);
    });

    it("lets exactly one caller claim a delivery within its window, across instances; erase and age remove claims", async () => {
      const store = await fresh();
      const others = await Promise.all([1, 2, 3].map(() => another(store)));
      const t0 = Date.now();
      const claims = await Promise.all(
        [store, ...others, store, ...others].map((s) => s.claimDelivery("event:Ev1", "U1", 600_000, t0)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      // Within the window another key is its own claim; the same key is not, until the window is over.
      expect(await store.claimDelivery("event:Ev2", "U1", 600_000, t0)).toBe(true);
      expect(await others[0]?.claimDelivery("event:Ev1", "U1", 600_000, t0 + 599_999)).toBe(false);
      expect(await others[1]?.claimDelivery("event:Ev1", "U1", 600_000, t0 + 600_000)).toBe(true);
      expect(await store.claimDelivery("event:Ev1", "U1", 600_000, t0 + 600_001)).toBe(false);
      // A short window (an App Home double press).
      expect(await store.claimDelivery("home:U2:start:x", "U2", 5_000, t0)).toBe(true);
      expect(await store.claimDelivery("home:U2:start:x", "U2", 5_000, t0 + 4_000)).toBe(false);
      expect(await store.claimDelivery("home:U2:start:x", "U2", 5_000, t0 + 9_000)).toBe(true);
      // Erasing a user removes their claims (and counts them), no one else's.
      expect(await store.eraseUser("U1")).toBe(2);
      expect(await store.claimDelivery("event:Ev2", "U1", 600_000, t0 + 600_001)).toBe(true);
      expect(await store.claimDelivery("home:U2:start:x", "U2", 5_000, t0 + 10_000)).toBe(false);
      // Claims older than a day are pruned (the app does it hourly): U2's (t0 + 9 s), not U1's (t0 + 600 s).
      const dayLater = t0 + 9_000 + 86_400_001;
      expect(await others[2]?.pruneDeliveries(dayLater)).toBe(1);
      expect(await store.eraseUser("U2")).toBe(0);
      expect(await store.eraseUser("U1")).toBe(1);
    });

    it("purges whole consultations older than the retention period", async () => {
      const store = await fresh();
      await store.record(EVENTS);
      await store.createHandoff(handoff("h-B", "B", "U2"));
      // Cutoff day 1 12:00: A and B ended before it, C and D after.
      expect(await store.purgeOlderThan(1, new Date(`${DAY2}T12:00:00Z`))).toBe(7);
      expect((await store.report({ since: new Date(0) })).map((r) => r.id)).toEqual(["C", "D"]);
      // The handoff is younger than the cutoff: kept until it is old too.
      expect(await store.getHandoff("h-B")).not.toBeNull();
      const tomorrow = new Date(Date.now() + 86_400_000);
      expect(await store.purgeOlderThan(0, tomorrow)).toBe(EVENTS.length - 7 + 1);
      expect(await store.countEvents()).toBe(0);
      await expect(store.purgeOlderThan(-1)).rejects.toThrow(/≥ 0/);
    });

    it("creates handoffs idempotently and lets the first taker win", async () => {
      const store = await fresh();
      const created = await store.createHandoff(handoff("h1"));
      expect(created).toMatchObject({ id: "h1", assignee: null, takenAt: null, consultationId: "C" });
      expect(created.staffMessageTs).toBeUndefined();
      expect(await store.createHandoff({ ...handoff("h1"), summary: "other" })).toEqual(created);
      await store.setHandoffMessage("h1", "1700000000.000100");
      expect((await store.getHandoff("h1"))?.staffMessageTs).toBe("1700000000.000100");

      const won = await store.takeHandoff("h1", "S1");
      expect(won).toMatchObject({ ok: true, handoff: { assignee: "S1" } });
      expect(await store.takeHandoff("h1", "S2")).toMatchObject({
        ok: false,
        reason: "already_taken",
        handoff: { assignee: "S1" },
      });
      expect(await store.takeHandoff("h1", "S1")).toMatchObject({ ok: true, handoff: { assignee: "S1" } });
      expect(await store.takeHandoff("nope", "S1")).toEqual({ ok: false, reason: "not_found" });
      expect(await store.getHandoff("nope")).toBeNull();
    });

    it("reads a handoff back as created, without the optional fields not given, and when it was taken", async () => {
      const store = await fresh();
      const t0 = Date.now();
      const plain = await store.createHandoff(handoff("h7"));
      const expected = {
        id: "h7",
        consultationId: "C",
        workspace: "T1",
        channel: "D-U1",
        user: "U1",
        summary: handoff("h7").summary,
        staffChannel: "C-STAFF",
        createdAt: expect.any(Date),
        assignee: null,
        takenAt: null,
      };
      // Absent, not null: callers test these with !== undefined.
      expect(plain).toEqual(expected);
      expect(await store.getHandoff("h7")).toEqual(expected);
      const full = {
        ...handoff("h8"),
        staffMessageTs: "1700000000.000800",
        customerMessageTs: "1700000000.000801",
        responseUrl: "https://hooks.slack.com/actions/T/8/x",
        cardState: "c2|abcdefghijkl|5|f|1|U1|ja|",
      };
      expect(await store.createHandoff(full)).toEqual({
        ...full,
        createdAt: expect.any(Date),
        assignee: null,
        takenAt: null,
      });
      const taken = await store.takeHandoff("h7", "S1");
      const t1 = Date.now();
      const takenAt = taken.ok ? taken.handoff.takenAt : null;
      expect(takenAt?.getTime()).toBeGreaterThanOrEqual(t0);
      expect(takenAt?.getTime()).toBeLessThanOrEqual(t1);
      expect(await store.getHandoff("h7")).toEqual({ ...expected, assignee: "S1", takenAt });
      expect(plain.createdAt.getTime()).toBeGreaterThanOrEqual(t0);
      expect(plain.createdAt.getTime()).toBeLessThanOrEqual(t1);
    });

    it("keeps where the customer's card is, and lets exactly one caller claim posting a handoff", async () => {
      const store = await fresh();
      await store.createHandoff({
        ...handoff("h3"),
        responseUrl: "https://hooks.slack.com/actions/T/1/x",
        cardState: "c2|abcdefghijkl|5|f|1|U1|ja|",
      });
      await store.createHandoff({ ...handoff("h4"), customerMessageTs: "1700000000.000200" });
      expect(await store.getHandoff("h3")).toMatchObject({
        responseUrl: "https://hooks.slack.com/actions/T/1/x",
        cardState: "c2|abcdefghijkl|5|f|1|U1|ja|",
      });
      expect((await store.getHandoff("h4"))?.customerMessageTs).toBe("1700000000.000200");
      const others = await Promise.all([1, 2, 3].map(() => another(store)));
      const claims = await Promise.all([store, ...others].map((s) => s.claimHandoffPost("h3")));
      const [claim] = claims.filter((c) => c !== null);
      expect(claims.filter((c) => c !== null)).toHaveLength(1);
      // Claimed but not yet posted: no staff message ts to show.
      expect((await store.getHandoff("h3"))?.staffMessageTs).toBeUndefined();
      // Someone else's token releases nothing.
      await store.releaseHandoffPost("h3", "claimed:0000000000001");
      expect(await store.claimHandoffPost("h3")).toBeNull();
      // The post failed: released, the next click claims it again.
      await store.releaseHandoffPost("h3", claim as string);
      const again = await store.claimHandoffPost("h3");
      expect(again).not.toBeNull();
      await store.setHandoffMessage("h3", "1700000000.000300");
      expect(await store.claimHandoffPost("h3")).toBeNull();
      // Releasing never undoes a real post.
      await store.releaseHandoffPost("h3", again as string);
      expect((await store.getHandoff("h3"))?.staffMessageTs).toBe("1700000000.000300");
      expect(await store.claimHandoffPost("nope")).toBeNull();
    });

    it("lets a claim whose post never finished be taken over after a minute, never a real post", async () => {
      const store = await fresh();
      await store.createHandoff(handoff("h5"));
      const t0 = Date.now();
      const first = await store.claimHandoffPost("h5", t0);
      expect(first).not.toBeNull();
      // The release failed (or the process died): the claim stays, and blocks others for a while.
      expect(await store.claimHandoffPost("h5", t0 + 30_000)).toBeNull();
      expect(await store.claimHandoffPost("h5", t0 + 61_000)).not.toBeNull();
      expect(await store.claimHandoffPost("h5", t0 + 62_000)).toBeNull();
      // The first caller's late release does not free the claim taken over from it.
      await store.releaseHandoffPost("h5", first as string);
      expect(await store.claimHandoffPost("h5", t0 + 63_000)).toBeNull();
      await store.setHandoffMessage("h5", "1700000000.000500");
      expect(await store.claimHandoffPost("h5", t0 + 10 * 60_000)).toBeNull();
      expect((await store.getHandoff("h5"))?.staffMessageTs).toBe("1700000000.000500");
      // Earlier versions claimed with "": such a stuck claim is taken over at once.
      await store.createHandoff(handoff("h6"));
      await store.setHandoffMessage("h6", "");
      expect((await store.getHandoff("h6"))?.staffMessageTs).toBeUndefined();
      expect(await store.claimHandoffPost("h6")).not.toBeNull();
    });

    it("lets exactly one of many concurrent takers win, across instances", async () => {
      const store = await fresh();
      await store.createHandoff(handoff("h2"));
      const others = await Promise.all([1, 2, 3, 4].map(() => another(store)));
      const takers = Array.from({ length: 12 }, (_, i) => `S${i}`);
      const instances = [store, ...others];
      const results = await Promise.all(
        takers.map((s, i) => (instances[i % instances.length] as RecordStore).takeHandoff("h2", s)),
      );
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      const assignee = (await store.getHandoff("h2"))?.assignee;
      expect(winners[0]).toMatchObject({ handoff: { assignee } });
      for (const r of results)
        if (!r.ok) expect(r).toMatchObject({ reason: "already_taken", handoff: { assignee } });
    });

    it("migrates safely when several instances start at once", async () => {
      const blank = await fresh({ migrate: false });
      const instances = await Promise.all([1, 2, 3, 4].map(() => another(blank)));
      await Promise.all([blank, ...instances].map((s) => s.migrate()));
      expect((await blank.appliedMigrations()).map((m) => m.version)).toEqual([1, 2, 3, 4]);
      await Promise.all(instances.map((s) => s.record(EVENTS)));
      expect(await blank.countEvents()).toBe(EVENTS.length);
    });
  });
}
