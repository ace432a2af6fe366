import type { SqlRunner } from "./sqlRunner.ts";
import type {
  ConsultationEvent,
  Handoff,
  NewHandoff,
  ReportRow,
  Stats,
  StatsRange,
  TakeResult,
} from "./types.ts";

/**
 * Queries shared by the SQLite and PostgreSQL stores, written in the SQL both
 * understand (window functions, RETURNING, ON CONFLICT). Drivers return
 * PostgreSQL bigints as strings, hence the Number() calls.
 */

const DAY_MS = 86_400_000;

export const EVENT_COLUMNS = [
  "id",
  "consultation_id",
  "kind",
  "workspace",
  "user_id",
  "channel",
  "flow_id",
  "flow_version",
  "at_ms",
  "question",
  "option",
  "next_question",
  "route",
  "installer",
  "fee",
  "assignee",
  "details",
] as const;

/**
 * PostgreSQL text cannot hold NUL, which SQLite stores: a hostile id with one
 * would fail its whole batch, and the queue behind it, on PostgreSQL only.
 * Both stores get the same replacement character instead.
 */
function storable(value: unknown): unknown {
  return typeof value === "string" && value.includes("\u0000") ? value.replaceAll("\u0000", "\uFFFD") : value;
}

export function eventValues(e: ConsultationEvent): unknown[] {
  return [
    e.id,
    e.consultationId,
    e.kind,
    e.workspace,
    e.user,
    e.channel,
    e.flowId,
    e.flowVersion,
    e.at.getTime(),
    e.question ?? null,
    e.option ?? null,
    e.next ?? null,
    e.route ?? null,
    e.installer ?? null,
    e.fee ?? null,
    e.assignee ?? null,
    e.details === undefined ? null : JSON.stringify(e.details),
  ].map(storable);
}

function bounds(range: StatsRange = {}): [number, number] {
  return [range.since?.getTime() ?? 0, range.until?.getTime() ?? Number.MAX_SAFE_INTEGER];
}

const IN_RANGE = "at_ms >= $1 AND at_ms < $2";

export async function queryStats(db: SqlRunner, range?: StatsRange): Promise<Stats> {
  const params = bounds(range);
  const [perDay, outcomes, dropOff, durations] = await Promise.all([
    db.all<{ day: number | string; started: number | string; completed: number | string }>(
      `SELECT CAST(at_ms / ${DAY_MS} AS BIGINT) AS day,
         COUNT(DISTINCT CASE WHEN kind = 'started' THEN consultation_id END) AS started,
         COUNT(DISTINCT CASE WHEN kind = 'completed' THEN consultation_id END) AS completed
       FROM consultation_events
       WHERE ${IN_RANGE} AND kind IN ('started', 'completed')
       GROUP BY CAST(at_ms / ${DAY_MS} AS BIGINT)
       ORDER BY day`,
      params,
    ),
    // A consultation whose answer was changed after an outcome completes again: count its last outcome.
    db.all<{ route: string | null; fee: string | null }>(
      `SELECT route, fee FROM (
         SELECT route, fee,
           ROW_NUMBER() OVER (PARTITION BY consultation_id ORDER BY at_ms DESC, id COLLATE "C" DESC) AS rn
         FROM consultation_events
         WHERE ${IN_RANGE} AND kind = 'completed'
       ) latest
       WHERE rn = 1`,
      params,
    ),
    db.all<{ question: string; reached: number | string; answered: number | string }>(
      `SELECT question, SUM(reached) AS reached, SUM(answered) AS answered FROM (
         SELECT next_question AS question, COUNT(DISTINCT consultation_id) AS reached, 0 AS answered
         FROM consultation_events
         WHERE ${IN_RANGE} AND next_question IS NOT NULL
         GROUP BY next_question
         UNION ALL
         SELECT question, 0 AS reached, COUNT(DISTINCT consultation_id) AS answered
         FROM consultation_events
         WHERE ${IN_RANGE} AND kind = 'answered' AND question IS NOT NULL
         GROUP BY question
       ) counts
       GROUP BY question
       ORDER BY SUM(reached) DESC, question COLLATE "C"`,
      params,
    ),
    db.all<{ ms: number | string }>(
      `SELECT MIN(CASE WHEN kind = 'completed' THEN at_ms END)
            - MIN(CASE WHEN kind = 'started' THEN at_ms END) AS ms
       FROM consultation_events
       WHERE ${IN_RANGE} AND kind IN ('started', 'completed')
       GROUP BY consultation_id
       HAVING COUNT(CASE WHEN kind = 'completed' THEN 1 END) > 0
          AND COUNT(CASE WHEN kind = 'started' THEN 1 END) > 0`,
      params,
    ),
  ]);
  return {
    perDay: perDay.map((r) => ({
      day: new Date(Number(r.day) * DAY_MS).toISOString().slice(0, 10),
      started: Number(r.started),
      completed: Number(r.completed),
    })),
    outcomes: tally(outcomes.map((r) => r.route ?? "")).map(([route, count]) => ({ route, count })),
    fees: tally(outcomes.map((r) => r.fee ?? "none")).map(([fee, count]) => ({ fee, count })),
    dropOff: dropOff.map((r) => ({
      question: r.question,
      reached: Number(r.reached),
      answered: Number(r.answered),
    })),
    medianSecondsToOutcome: median(durations.map((r) => Number(r.ms) / 1000)),
  };
}

/** Counts per value, most frequent first, ties by value. */
function tally(values: readonly string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

type ReportSqlRow = {
  consultation_id: string;
  workspace: string;
  user_id: string;
  channel: string;
  flow_id: string;
  flow_version: number | string;
  started_ms: number | string;
  completed_ms: number | string | null;
  route: string | null;
  installer: string | null;
  fee: string | null;
  answers: number | string;
  shared: number | string;
  handed_off: number | string;
  assignee: string | null;
};

/**
 * Events read per page of reportPages. Small enough that PostgreSQL finds the
 * page's consultations through the indexes (from about 10,000 on a table of
 * millions it chose to scan the whole table, 400 ms a page).
 */
const REPORT_PAGE_EVENTS = 2_000;

/**
 * The report, oldest first, a page at a time, so a report of millions of
 * consultations never holds them all (nor their text) at once. A page is the
 * consultations that started between one event time and the time of the
 * REPORT_PAGE_EVENTS-th event after it, found through the at_ms index (time
 * without records is skipped the same way).
 */
export async function* reportPages(db: SqlRunner, range: StatsRange): AsyncGenerator<ReportRow[]> {
  const [since, until] = bounds(range);
  let from = since;
  while (from < until) {
    const [next] = await db.all<{ at: number | string }>(
      `SELECT at_ms AS at FROM consultation_events WHERE ${IN_RANGE} ORDER BY at_ms LIMIT 1 OFFSET $3`,
      [from, until, REPORT_PAGE_EVENTS],
    );
    // More than a page of events in one millisecond still makes progress: that millisecond is the page.
    const end = next === undefined ? until : Math.max(Number(next.at), from + 1);
    const rows = await reportWindow(db, from, end);
    if (rows.length > 0) yield rows;
    from = end;
  }
}

/** Every consultation whose first event is in [start, end). */
async function reportWindow(db: SqlRunner, start: number, end: number): Promise<ReportRow[]> {
  const rows = await db.all<ReportSqlRow>(
    `WITH c AS (
       SELECT consultation_id,
         MIN(workspace) AS workspace, MIN(user_id) AS user_id, MIN(channel) AS channel,
         MIN(flow_id) AS flow_id, MAX(flow_version) AS flow_version,
         MIN(at_ms) AS started_ms,
         SUM(CASE WHEN kind = 'answered' THEN 1 ELSE 0 END) AS answers,
         MAX(CASE WHEN kind = 'shared' THEN 1 ELSE 0 END) AS shared,
         MAX(CASE WHEN kind = 'handed_off' THEN 1 ELSE 0 END) AS handed_off,
         MAX(CASE WHEN kind = 'taken' THEN assignee END) AS taken_by
       FROM consultation_events
       -- Started in the window means an event in it: the index finds those, not a scan of every event.
       WHERE consultation_id IN (SELECT consultation_id FROM consultation_events WHERE ${IN_RANGE})
       GROUP BY consultation_id
       HAVING MIN(at_ms) >= $1 AND MIN(at_ms) < $2
     ), done AS (
       SELECT consultation_id, at_ms, route, installer, fee,
         ROW_NUMBER() OVER (PARTITION BY consultation_id ORDER BY at_ms DESC, id COLLATE "C" DESC) AS rn
       FROM consultation_events
       WHERE kind = 'completed' AND consultation_id IN (SELECT consultation_id FROM c)
     ), h AS (
       SELECT consultation_id, MAX(assignee) AS assignee FROM handoffs
       WHERE consultation_id IN (SELECT consultation_id FROM c)
       GROUP BY consultation_id
     )
     SELECT c.consultation_id, c.workspace, c.user_id, c.channel, c.flow_id, c.flow_version,
       c.started_ms, done.at_ms AS completed_ms, done.route, done.installer, done.fee,
       c.answers, c.shared, c.handed_off, COALESCE(h.assignee, c.taken_by) AS assignee
     FROM c
     LEFT JOIN done ON done.consultation_id = c.consultation_id AND done.rn = 1
     LEFT JOIN h ON h.consultation_id = c.consultation_id
     ORDER BY c.started_ms, c.consultation_id COLLATE "C"`,
    [start, end],
  );
  return rows.map(
    (r): ReportRow => ({
      id: r.consultation_id,
      workspace: r.workspace,
      user: r.user_id,
      channel: r.channel,
      flow: r.flow_id,
      version: Number(r.flow_version),
      started_at: new Date(Number(r.started_ms)).toISOString(),
      completed_at: r.completed_ms === null ? "" : new Date(Number(r.completed_ms)).toISOString(),
      route: r.route ?? "",
      installer: r.installer ?? "",
      fee: r.fee ?? "",
      answers: Number(r.answers),
      shared: Number(r.shared) > 0,
      handed_off: Number(r.handed_off) > 0,
      assignee: r.assignee ?? "",
    }),
  );
}

export async function countEvents(db: SqlRunner): Promise<number> {
  const [row] = await db.all<{ n: number | string }>("SELECT COUNT(*) AS n FROM consultation_events");
  return Number(row?.n ?? 0);
}

export async function eraseUser(db: SqlRunner, userId: string): Promise<number> {
  const ofUser = "SELECT consultation_id FROM consultation_events WHERE user_id = $1";
  // Handoffs first: the second statement's subquery needs the events still there.
  const counts = await db.transaction([
    { sql: `DELETE FROM handoffs WHERE user_id = $1 OR consultation_id IN (${ofUser})`, params: [userId] },
    { sql: `DELETE FROM consultation_events WHERE consultation_id IN (${ofUser})`, params: [userId] },
    { sql: "DELETE FROM deliveries WHERE user_id = $1", params: [userId] },
  ]);
  return sum(counts);
}

export async function purgeOlderThan(db: SqlRunner, days: number, now: Date): Promise<number> {
  if (!Number.isFinite(days) || days < 0) throw new RangeError(`retention days must be ≥ 0, got ${days}`);
  const cutoff = now.getTime() - days * DAY_MS;
  // Whole consultations go, so a report never shows one with its start purged.
  const counts = await db.transaction([
    {
      sql: `DELETE FROM consultation_events WHERE consultation_id IN (
              SELECT consultation_id FROM consultation_events GROUP BY consultation_id HAVING MAX(at_ms) < $1)`,
      params: [cutoff],
    },
    {
      sql: `DELETE FROM handoffs WHERE created_ms < $1 AND NOT EXISTS (
              SELECT 1 FROM consultation_events e WHERE e.consultation_id = handoffs.consultation_id)`,
      params: [cutoff],
    },
  ]);
  return sum(counts);
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

type HandoffSqlRow = {
  id: string;
  consultation_id: string;
  workspace: string;
  channel: string;
  user_id: string;
  summary: string;
  staff_channel: string;
  staff_message_ts: string | null;
  created_ms: number | string;
  assignee: string | null;
  taken_ms: number | string | null;
  customer_message_ts: string | null;
  response_url: string | null;
  card_state: string | null;
};

function toHandoff(r: HandoffSqlRow): Handoff {
  return {
    id: r.id,
    consultationId: r.consultation_id,
    workspace: r.workspace,
    channel: r.channel,
    user: r.user_id,
    summary: r.summary,
    staffChannel: r.staff_channel,
    ...(r.staff_message_ts === null || isClaim(r.staff_message_ts)
      ? {}
      : { staffMessageTs: r.staff_message_ts }),
    ...(r.customer_message_ts === null ? {} : { customerMessageTs: r.customer_message_ts }),
    ...(r.response_url === null ? {} : { responseUrl: r.response_url }),
    ...(r.card_state === null ? {} : { cardState: r.card_state }),
    createdAt: new Date(Number(r.created_ms)),
    assignee: r.assignee,
    takenAt: r.taken_ms === null ? null : new Date(Number(r.taken_ms)),
  };
}

export async function getHandoff(db: SqlRunner, id: string): Promise<Handoff | null> {
  const [row] = await db.all<HandoffSqlRow>("SELECT * FROM handoffs WHERE id = $1", [storable(id)]);
  return row === undefined ? null : toHandoff(row);
}

/** Idempotent: asking twice (a double click) returns the handoff created first. */
export async function createHandoff(db: SqlRunner, h: NewHandoff, now = new Date()): Promise<Handoff> {
  await db.transaction([
    {
      sql: `INSERT INTO handoffs (id, consultation_id, workspace, channel, user_id, summary, staff_channel,
              staff_message_ts, created_ms, customer_message_ts, response_url, card_state)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
      params: [
        h.id,
        h.consultationId,
        h.workspace,
        h.channel,
        h.user,
        h.summary,
        h.staffChannel,
        h.staffMessageTs ?? null,
        now.getTime(),
        h.customerMessageTs ?? null,
        h.responseUrl ?? null,
        h.cardState ?? null,
      ].map(storable),
    },
  ]);
  const created = await getHandoff(db, h.id);
  if (created === null) throw new Error(`handoff ${h.id} vanished right after it was created`);
  return created;
}

export async function setHandoffMessage(db: SqlRunner, id: string, ts: string): Promise<void> {
  await db.transaction([
    { sql: "UPDATE handoffs SET staff_message_ts = $2 WHERE id = $1", params: [id, ts] },
  ]);
}

/**
 * staff_message_ts while the staff message is being posted: `claimed:<ms>`
 * (a real ts is digits and a dot; "" is the claim of earlier versions). A
 * claim older than CLAIM_TTL_MS can be taken over, so a post that never
 * finished (its release failed with the database, the process was killed)
 * does not keep the handoff from staff forever.
 */
const CLAIM = "claimed:";
const CLAIM_TTL_MS = 60_000;

function isClaim(ts: string): boolean {
  return ts === "" || ts.startsWith(CLAIM);
}

/** A claim token; 13 digits until the year 2286, so tokens compare as text in every collation. */
function claimAt(ms: number): string {
  return `${CLAIM}${String(Math.floor(ms)).padStart(13, "0")}`;
}

/** The claim's token when this caller won it (release it with the token), else null. */
export async function claimHandoffPost(db: SqlRunner, id: string, now: number): Promise<string | null> {
  const token = claimAt(now);
  const rows = await db.all<{ id: string }>(
    `UPDATE handoffs SET staff_message_ts = $2
     WHERE id = $1 AND (staff_message_ts IS NULL OR staff_message_ts = ''
       OR (staff_message_ts LIKE '${CLAIM}%' AND staff_message_ts < $3))
     RETURNING id`,
    [id, token, claimAt(now - CLAIM_TTL_MS)],
  );
  return rows.length > 0 ? token : null;
}

/** How long a delivery claim is kept: longer than Slack's last redelivery (about 5 minutes). */
export const DELIVERY_KEEP_MS = DAY_MS;

/**
 * True for exactly one caller per key within `windowMs` (across instances):
 * the one that answers. A claim older than the window is taken over.
 */
export async function claimDelivery(
  db: SqlRunner,
  key: string,
  user: string,
  windowMs: number,
  now: number,
): Promise<boolean> {
  const rows = await db.all<{ key: string }>(
    `INSERT INTO deliveries (key, user_id, at_ms) VALUES ($1, $2, $3)
     ON CONFLICT (key) DO UPDATE SET user_id = excluded.user_id, at_ms = excluded.at_ms
     WHERE deliveries.at_ms <= $4
     RETURNING key`,
    [key, user, now, now - windowMs],
  );
  return rows.length > 0;
}

/** Removes delivery claims older than DELIVERY_KEEP_MS; returns how many. */
export async function pruneDeliveries(db: SqlRunner, now: number): Promise<number> {
  const [removed] = await db.transaction([
    { sql: "DELETE FROM deliveries WHERE at_ms < $1", params: [now - DELIVERY_KEEP_MS] },
  ]);
  return removed ?? 0;
}

/** Undoes this caller's own claim only: a late release must not free a claim another caller took over. */
export async function releaseHandoffPost(db: SqlRunner, id: string, token: string): Promise<void> {
  await db.transaction([
    {
      sql: "UPDATE handoffs SET staff_message_ts = NULL WHERE id = $1 AND staff_message_ts = $2",
      params: [id, token],
    },
  ]);
}

export async function takeHandoff(
  db: SqlRunner,
  id: string,
  assignee: string,
  now = new Date(),
): Promise<TakeResult> {
  // One conditional UPDATE: the database serialises concurrent takers, so exactly one matches.
  const [taken] = await db.all<HandoffSqlRow>(
    `UPDATE handoffs SET assignee = $2, taken_ms = $3 WHERE id = $1 AND assignee IS NULL RETURNING *`,
    [id, assignee, now.getTime()].map(storable),
  );
  if (taken !== undefined) return { ok: true, handoff: toHandoff(taken) };
  const existing = await getHandoff(db, id);
  if (existing === null) return { ok: false, reason: "not_found" };
  // The same person pressing twice keeps it.
  if (existing.assignee === storable(assignee)) return { ok: true, handoff: existing };
  return { ok: false, reason: "already_taken", handoff: existing };
}
