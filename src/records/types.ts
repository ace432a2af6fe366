export type Logger = {
  info: (msg: string) => void;
  warn: (msg: string) => void;
  error: (msg: string) => void;
};

/** What happened in a consultation. One click gives at most a few events. */
export type EventKind =
  | "started"
  | "answered"
  | "back"
  | "changed"
  | "completed"
  | "shared"
  | "handed_off"
  | "taken";

export const EVENT_KINDS: readonly EventKind[] = [
  "started",
  "answered",
  "back",
  "changed",
  "completed",
  "shared",
  "handed_off",
  "taken",
];

export type ConsultationEvent = {
  /**
   * Idempotency key: a duplicated or redelivered click must produce the same id
   * (see eventId.ts), so the event is stored once.
   */
  id: string;
  consultationId: string;
  kind: EventKind;
  workspace: string;
  /** The customer whose consultation it is (also on staff events such as "taken"). */
  user: string;
  channel: string;
  flowId: string;
  flowVersion: number;
  at: Date;
  /** "answered"/"changed": the question answered; "back": the question left. */
  question?: string;
  option?: string;
  /**
   * The question asked after this event, or null when it led to an outcome.
   * Drop-off ("reached") is counted from it, so set it on started, answered,
   * back and changed events.
   */
  next?: string | null;
  /** "completed": the outcome reached. */
  route?: string;
  installer?: string;
  /** Fee code. */
  fee?: string;
  /** "taken": the staff member who took the handoff. */
  assignee?: string;
  /** Small JSON for anything else worth keeping; not queried. */
  details?: Record<string, unknown>;
};

export type StatsRange = {
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
};

export type Stats = {
  /** UTC days, ascending; counts distinct consultations. */
  perDay: { day: string; started: number; completed: number }[];
  /** Final outcome of each completed consultation (its latest "completed" event). */
  outcomes: { route: string; count: number }[];
  fees: { fee: string; count: number }[];
  /** reached = consultations asked the question; answered = consultations that answered it. */
  dropOff: { question: string; reached: number; answered: number }[];
  /** From "started" to the first "completed"; null when none completed. */
  medianSecondsToOutcome: number | null;
};

export type ReportRow = {
  id: string;
  workspace: string;
  user: string;
  channel: string;
  flow: string;
  version: number;
  /** ISO 8601, UTC. */
  started_at: string;
  /** ISO 8601 of the latest "completed" event, or "" when unfinished. */
  completed_at: string;
  route: string;
  installer: string;
  fee: string;
  answers: number;
  shared: boolean;
  handed_off: boolean;
  assignee: string;
};

export const REPORT_COLUMNS: readonly (keyof ReportRow)[] = [
  "id",
  "workspace",
  "user",
  "channel",
  "flow",
  "version",
  "started_at",
  "completed_at",
  "route",
  "installer",
  "fee",
  "answers",
  "shared",
  "handed_off",
  "assignee",
];

export type NewHandoff = {
  id: string;
  consultationId: string;
  workspace: string;
  channel: string;
  /** The customer asking for help. */
  user: string;
  summary: string;
  staffChannel: string;
  staffMessageTs?: string;
  /** The customer's card in a DM (chat.update can change it). */
  customerMessageTs?: string;
  /** The "Ask staff" click's response_url, for an ephemeral card (30 minutes, 5 posts). */
  responseUrl?: string;
  /** The card's button state, to redraw it once staff take the handoff. */
  cardState?: string;
};

export type Handoff = NewHandoff & {
  createdAt: Date;
  assignee: string | null;
  takenAt: Date | null;
};

export type TakeResult =
  | { ok: true; handoff: Handoff }
  /** Someone took it first (handoff.assignee says who), or the handoff does not exist. */
  | { ok: false; reason: "already_taken"; handoff: Handoff }
  | { ok: false; reason: "not_found" };

export interface RecordStore {
  /** Applies the migrations not yet applied; safe to call at every start. */
  migrate(): Promise<void>;
  /** The schema versions applied, ascending. */
  appliedMigrations(): Promise<{ version: number; name: string }[]>;
  /** Stores the events whose id is new; returns how many were new. */
  record(events: readonly ConsultationEvent[]): Promise<number>;
  /** Events stored; for health checks and tests. */
  countEvents(): Promise<number>;
  stats(range?: StatsRange): Promise<Stats>;
  /** One row per consultation whose first event is in the range, oldest first. */
  report(range: StatsRange): Promise<ReportRow[]>;
  /** The same rows, a day's worth at a time, for reports too large to hold at once. */
  reportPages(range: StatsRange): AsyncIterable<ReportRow[]>;
  /** Removes every consultation (events and handoffs) of a customer, and their delivery claims; returns rows removed. */
  eraseUser(userId: string): Promise<number>;
  /**
   * After eraseUser: makes sure no copy of the removed rows is left in the
   * database's files. "done" when none is; "busy" when another connection
   * kept a copy in use (it goes at that connection's next checkpoint);
   * "not_possible" when the database keeps dead rows' bytes until it reuses
   * the space (PostgreSQL, until VACUUM; and any backups or WAL archives).
   */
  scrubErased(): Promise<"done" | "busy" | "not_possible">;
  /** Removes consultations whose latest event, and handoffs created, before now − days; returns rows removed. */
  purgeOlderThan(days: number, now?: Date): Promise<number>;
  createHandoff(handoff: NewHandoff): Promise<Handoff>;
  /** First taker wins, atomically, across instances. */
  takeHandoff(id: string, assignee: string): Promise<TakeResult>;
  getHandoff(id: string): Promise<Handoff | null>;
  setHandoffMessage(id: string, staffMessageTs: string): Promise<void>;
  /**
   * A claim token for exactly one caller per handoff (across instances): the
   * one that posts it to the staff channel. Null once claimed, or when it does
   * not exist; a claim older than a minute (its post never finished: the
   * process died, or the release failed with the database) can be claimed again.
   * Without `now`, ages are the database's time (SqlQueries.clock).
   */
  claimHandoffPost(id: string, now?: number): Promise<string | null>;
  /** Undoes the caller's own claim (its token) whose post failed, so the next "Ask staff" click posts it. */
  releaseHandoffPost(id: string, token: string): Promise<void>;
  /**
   * True for exactly one caller per key within `windowMs`, across instances:
   * the one that answers a delivery that leaves no consultation event (a DM's
   * start offer, an App Home press). Claims name the user (erased with them)
   * and are removed after a day (pruneDeliveries, which the app runs hourly).
   * Without `now`, ages are the database's time (SqlQueries.clock).
   */
  claimDelivery(key: string, user: string, windowMs: number, now?: number): Promise<boolean>;
  /** Removes delivery claims older than a day; returns how many. */
  pruneDeliveries(now?: number): Promise<number>;
  close(): Promise<void>;
}
