import { describe, expect, it } from "vitest";
import { readRunsFactor } from "./propertyRuns.ts";

describe("PROPERTY_RUNS_FACTOR", () => {
  it("is 1 when unset or blank, and read as a number otherwise", () => {
    expect(readRunsFactor(undefined)).toBe(1);
    expect(readRunsFactor(" ")).toBe(1);
    expect(readRunsFactor("10")).toBe(10);
    expect(readRunsFactor("0.5")).toBe(0.5);
  });

  it.each(["ten", "0", "-3", "Infinity", "1001", "1e9"])("refuses %j with what it must be", (text) => {
    expect(() => readRunsFactor(text)).toThrow(
      `PROPERTY_RUNS_FACTOR must be a number above 0 and at most 1000, not ${JSON.stringify(text)}`,
    );
  });
});
