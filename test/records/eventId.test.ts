import { describe, expect, it } from "vitest";
import { eventId } from "../../src/records/eventId.ts";

describe("eventId", () => {
  it("gives a redelivered click the same id and a different click another", () => {
    const click = ["c-42", "answered", "q1=yes,q2=no", "q3", "opt-a"];
    expect(eventId(...click)).toBe(eventId(...click));
    expect(eventId(...click)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(eventId("c-42", "answered", "q1=yes,q2=no", "q3", "opt-b")).not.toBe(eventId(...click));
    // Parts are delimited: shifting text between parts changes the id.
    expect(eventId("ab", "c")).not.toBe(eventId("a", "bc"));
  });

  it("distinguishes a missing part from the text null, and a number from its digits", () => {
    expect(eventId("c-1", null)).not.toBe(eventId("c-1", "null"));
    expect(eventId("c-1", 1)).not.toBe(eventId("c-1", "1"));
  });
});
