import type { ConsultationEvent, EventKind } from "../../src/records/types.ts";

/**
 * Four consultations over two UTC days, with known figures (see expectedStats):
 *   A (U1) day 1: q1 → q2 → move_self in 60 s, shared.
 *   B (U2) day 1: q1 → q3, then abandoned.
 *   C (U1) day 2: q1 → q2 → we_install after 120 s, handed off and taken by S1,
 *      then q2 changed → move_self (its last outcome).
 *   D (U3) day 2: q1 → q2, back to q1, other answer → q3 → needs_check after 90 s.
 */
type Partial = Omit<
  ConsultationEvent,
  "id" | "workspace" | "user" | "channel" | "flowId" | "flowVersion" | "at" | "consultationId"
> & {
  at: string;
};

function consultation(consultationId: string, user: string, events: Partial[]): ConsultationEvent[] {
  return events.map((e, i) => ({
    ...e,
    id: `${consultationId}-${i}`,
    consultationId,
    workspace: "T1",
    user,
    channel: `D-${user}`,
    flowId: "ssl-migration",
    flowVersion: 3,
    at: new Date(e.at),
  }));
}

const ev = (kind: EventKind, at: string, rest: Omit<Partial, "kind" | "at"> = {}): Partial => ({
  kind,
  at,
  ...rest,
});

export const DAY1 = "2025-03-03";
export const DAY2 = "2025-03-04";

export const EVENTS: ConsultationEvent[] = [
  ...consultation("A", "U1", [
    ev("started", `${DAY1}T10:00:00Z`, { next: "q1" }),
    ev("answered", `${DAY1}T10:00:30Z`, { question: "q1", option: "yes", next: "q2" }),
    ev("answered", `${DAY1}T10:01:00Z`, { question: "q2", option: "no", next: null }),
    ev("completed", `${DAY1}T10:01:00Z`, { route: "move_self", installer: "customer", fee: "F0" }),
    ev("shared", `${DAY1}T10:02:00Z`),
  ]),
  ...consultation("B", "U2", [
    ev("started", `${DAY1}T11:00:00Z`, { next: "q1" }),
    ev("answered", `${DAY1}T11:00:10Z`, { question: "q1", option: "no", next: "q3" }),
  ]),
  ...consultation("C", "U1", [
    ev("started", `${DAY2}T09:00:00Z`, { next: "q1" }),
    ev("answered", `${DAY2}T09:00:20Z`, { question: "q1", option: "yes", next: "q2" }),
    ev("answered", `${DAY2}T09:02:00Z`, { question: "q2", option: "yes", next: null }),
    ev("completed", `${DAY2}T09:02:00Z`, { route: "we_install", installer: "us", fee: "F2" }),
    ev("handed_off", `${DAY2}T09:03:00Z`, { details: { staffChannel: "C-STAFF", note: 'says "hi", ok?' } }),
    ev("taken", `${DAY2}T09:04:00Z`, { assignee: "S1" }),
    ev("changed", `${DAY2}T09:05:00Z`, { question: "q2", option: "no", next: null }),
    ev("completed", `${DAY2}T09:05:00Z`, { route: "move_self", installer: "customer", fee: "F0" }),
  ]),
  ...consultation("D", "U3", [
    ev("started", `${DAY2}T10:00:00Z`, { next: "q1" }),
    ev("answered", `${DAY2}T10:00:10Z`, { question: "q1", option: "yes", next: "q2" }),
    ev("back", `${DAY2}T10:00:20Z`, { question: "q2", next: "q1" }),
    ev("answered", `${DAY2}T10:00:30Z`, { question: "q1", option: "no", next: "q3" }),
    ev("answered", `${DAY2}T10:01:30Z`, { question: "q3", option: 'x, "quoted"\nline', next: null }),
    ev("completed", `${DAY2}T10:01:30Z`, { route: "needs_check", installer: "us" }),
  ]),
];

export const expectedStats = {
  perDay: [
    { day: DAY1, started: 2, completed: 1 },
    { day: DAY2, started: 2, completed: 2 },
  ],
  outcomes: [
    { route: "move_self", count: 2 },
    { route: "needs_check", count: 1 },
  ],
  fees: [
    { fee: "F0", count: 2 },
    { fee: "none", count: 1 },
  ],
  dropOff: [
    { question: "q1", reached: 4, answered: 4 },
    { question: "q2", reached: 3, answered: 2 },
    { question: "q3", reached: 2, answered: 1 },
  ],
  medianSecondsToOutcome: 90,
};

/** Events of a synthetic consultation, for volume and fault tests. */
export function syntheticEvent(n: number, user = "U9"): ConsultationEvent {
  return {
    id: `syn-${n}`,
    consultationId: `syn-c-${Math.floor(n / 5)}`,
    kind: n % 5 === 0 ? "started" : "answered",
    workspace: "T1",
    user,
    channel: "D1",
    flowId: "ssl-migration",
    flowVersion: 3,
    at: new Date(Date.UTC(2025, 2, 5) + n * 1000),
    question: `q${n % 5}`,
    option: "yes",
    next: `q${(n % 5) + 1}`,
  };
}
