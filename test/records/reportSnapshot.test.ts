import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PostgresStore } from "../../src/records/postgresStore.ts";
import { SqliteStore } from "../../src/records/sqliteStore.ts";
import type { ConsultationEvent, RecordStore, ReportRow } from "../../src/records/types.ts";
import { EVENTS } from "./fixture.ts";
import { dropSchemas, TEST_DATABASE_URL, tempDir, uniqueSchema } from "./harnesses.ts";

const tmp = tempDir();
const schemas: string[] = [];
afterAll(async () => {
  tmp.remove();
  if (TEST_DATABASE_URL) await dropSchemas(TEST_DATABASE_URL, schemas);
});
const base = EVENTS[0] as ConsultationEvent;
const T0 = Date.parse("2025-03-01T00:00:00Z");
const ev = (
  id: string,
  c: string,
  at: number,
  kind: ConsultationEvent["kind"] = "started",
): ConsultationEvent => ({ ...base, id, consultationId: c, kind, at: new Date(at) });

/**
 * A report is read a page at a time; all its pages must come from one
 * snapshot, or a consultation whose first event the running bot writes into a
 * page already read (another instance's batch, a queue flushed after an
 * outage) would be in no page at all.
 */
async function checkSnapshot(report: RecordStore, app: RecordStore): Promise<void> {
  // 3,000 consultations on day 1 (more than one page), and Y's click on day 3 (its start not yet written).
  await app.record(
    Array.from({ length: 3000 }, (_, i) => ev(`e${i}`, `K${String(i).padStart(5, "0")}`, T0 + i)),
  );
  await app.record([ev("y-2", "Y", T0 + 2 * 86_400_000, "answered")]);
  const rows: ReportRow[] = [];
  let pages = 0;
  for await (const page of report.reportPages({ since: new Date(T0) })) {
    rows.push(...page);
    if (pages++ === 0) await app.record([ev("y-1", "Y", T0 + 5)]); // the start arrives, through the bot
  }
  expect(pages).toBeGreaterThan(1);
  // As a single query run at the start would have: Y once, started (as far as it knew) on day 3.
  expect(rows.filter((r) => r.id === "Y").map((r) => r.started_at)).toEqual([
    new Date(T0 + 2 * 86_400_000).toISOString(),
  ]);
  expect(rows).toHaveLength(3001);
  // A report run now sees Y's real start.
  expect((await report.report({ since: new Date(T0) })).find((r) => r.id === "Y")?.started_at).toBe(
    new Date(T0 + 5).toISOString(),
  );
}

describe("a report's pages come from one snapshot", () => {
  it("SQLite (the report CLI's own connection; the bot's beside it)", async () => {
    const path = join(tmp.dir, "snap.db");
    const report = new SqliteStore({ path });
    const app = new SqliteStore({ path });
    try {
      await checkSnapshot(report, app);
    } finally {
      await app.close();
      await report.close();
    }
  });

  it.skipIf(TEST_DATABASE_URL === undefined)("PostgreSQL (REPEATABLE READ, read only)", async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const report = new PostgresStore({ connectionString: TEST_DATABASE_URL as string, schema });
    await report.migrate();
    const app = new PostgresStore({ connectionString: TEST_DATABASE_URL as string, schema });
    try {
      await checkSnapshot(report, app);
    } finally {
      await app.close();
      await report.close();
    }
  });
});
