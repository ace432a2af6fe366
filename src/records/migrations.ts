/**
 * Versioned schema changes, applied in order and recorded in schema_migrations.
 * Never edit a released migration: append a new one. Each dialect gets its own
 * SQL because types differ; queries elsewhere are shared, so times are stored
 * as epoch milliseconds in both.
 */
export type Migration = {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
};

const eventsTable = (at: string, json: string) => `
CREATE TABLE consultation_events (
  id TEXT PRIMARY KEY,
  consultation_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  workspace TEXT NOT NULL,
  user_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  flow_id TEXT NOT NULL,
  flow_version INTEGER NOT NULL,
  at_ms ${at} NOT NULL,
  question TEXT,
  option TEXT,
  next_question TEXT,
  route TEXT,
  installer TEXT,
  fee TEXT,
  assignee TEXT,
  details ${json}
);
CREATE INDEX consultation_events_consultation ON consultation_events (consultation_id);
CREATE INDEX consultation_events_at ON consultation_events (at_ms);
CREATE INDEX consultation_events_user ON consultation_events (user_id);
`;

const handoffsTable = (at: string) => `
CREATE TABLE handoffs (
  id TEXT PRIMARY KEY,
  consultation_id TEXT NOT NULL,
  workspace TEXT NOT NULL,
  channel TEXT NOT NULL,
  user_id TEXT NOT NULL,
  summary TEXT NOT NULL,
  staff_channel TEXT NOT NULL,
  staff_message_ts TEXT,
  created_ms ${at} NOT NULL,
  assignee TEXT,
  taken_ms ${at}
);
CREATE INDEX handoffs_consultation ON handoffs (consultation_id);
CREATE INDEX handoffs_user ON handoffs (user_id);
`;

const deliveriesTable = (at: string) => `
CREATE TABLE deliveries (
  key TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  at_ms ${at} NOT NULL
);
CREATE INDEX deliveries_at ON deliveries (at_ms);
CREATE INDEX deliveries_user ON deliveries (user_id);
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "consultation events",
    sqlite: eventsTable("INTEGER", "TEXT"),
    postgres: eventsTable("BIGINT", "JSONB"),
  },
  {
    version: 2,
    name: "handoffs",
    sqlite: handoffsTable("INTEGER"),
    postgres: handoffsTable("BIGINT"),
  },
  {
    // Where the customer's card is, so "Take it" can update it: its ts (DMs), or the
    // response_url of the "Ask staff" click (ephemeral cards), and the card's button state.
    version: 3,
    name: "handoff customer card",
    sqlite: `ALTER TABLE handoffs ADD COLUMN customer_message_ts TEXT;
ALTER TABLE handoffs ADD COLUMN response_url TEXT;
ALTER TABLE handoffs ADD COLUMN card_state TEXT;`,
    postgres: `ALTER TABLE handoffs ADD COLUMN customer_message_ts TEXT;
ALTER TABLE handoffs ADD COLUMN response_url TEXT;
ALTER TABLE handoffs ADD COLUMN card_state TEXT;`,
  },
  {
    // Replies that leave no consultation event (a DM's start offer, an App Home press), claimed
    // here so that a delivery reaching two instances is answered once. Rows are pruned after a day.
    version: 4,
    name: "deliveries",
    sqlite: deliveriesTable("INTEGER"),
    postgres: deliveriesTable("BIGINT"),
  },
];

/** The migrations not yet applied, in order, given the versions schema_migrations lists. */
export function pendingMigrations(applied: readonly { version: number | string }[]): Migration[] {
  const done = new Set(applied.map((r) => Number(r.version)));
  return MIGRATIONS.filter((m) => !done.has(m.version));
}

/** The versions schema_migrations lists. */
export const APPLIED_VERSIONS = "SELECT version FROM schema_migrations";

export const SCHEMA_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_ms BIGINT NOT NULL
)`;
