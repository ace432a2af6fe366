import { afterEach, expect, it } from "vitest";
import type { FakeMessage } from "../../src/slack/fakeSlack/index.ts";
import { Harness } from "../support/harness.ts";
import { actionIdsIn } from "../support/payloads.ts";
import { type TestRecords, testRecords } from "./recordsSupport.ts";

const OWNER = "UOWNER1";
const CHANNEL = "C0GENERAL";
const STAFF = "C0STAFF";
const LEE = "U0LEE";
const HANDOVER_US: Record<string, string> = {
  validity: "valid",
  current_server: "our_shared",
  destination_server: "dedicated_vps_cloud",
  installer: "us",
};

let h: Harness | undefined;
let records: TestRecords | undefined;
afterEach(async () => {
  await h?.close();
  await records?.close();
});

// A handoff keeps the customer's card in the database; one asked before an
// upgrade holds the unsigned form of the time and must still be taken fully.
it("a handoff stored by an earlier version (card unsigned, c2) is still recorded 'taken', and the customer's card says who", async () => {
  records = testRecords();
  h = await Harness.start({ records, config: { staffChannelId: STAFF, staffUserIds: [LEE] } });
  let m = await h.command({ user: OWNER, channel: CHANNEL });
  for (;;) {
    const q = actionIdsIn(m.blocks)
      .find((id) => id.startsWith("answer:"))
      ?.split(":")[1];
    if (!q) break;
    m = (await h.click(m, `answer:${q}:${HANDOVER_US[q]}`)).message;
  }
  const result = { ...m, blocks: structuredClone(m.blocks) };
  await h.click(result, "handoff:ask");
  const staff = h.fake.messages.find((x) => x.channel === STAFF) as FakeMessage;
  // What the previous version stored: the same fields, prefix c2, no signature (17 characters).
  const db = (records.store as unknown as { db: { prepare(sql: string): { run(): { changes: number } } } })
    .db;
  const rewritten = db
    .prepare("UPDATE handoffs SET card_state = 'c2' || substr(card_state, 3, length(card_state) - 19)")
    .run();
  expect(rewritten.changes).toBe(1);
  await h.click(staff, "handoff:take", { user: LEE });
  await records.settle();
  expect(records.events().find((e) => e.kind === "taken")).toMatchObject({ assignee: LEE });
  expect(JSON.stringify(h.fake.message(result.channel, result.ts)?.blocks)).toContain(`<@${LEE}>`);
});
