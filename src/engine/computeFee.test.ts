import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/support/propertyRuns.ts";
import type { Flow } from "../flow/schema.ts";
import { computeFee } from "./computeFee.ts";

function flowWith(rate: number, rounding: Flow["tax"]["rounding"], amount: number | null): Flow {
  return {
    tax: { rate, rounding },
    fees: { fee: { amount, label: { ja: "手数料", en: "Fee" } } },
  } as unknown as Flow;
}

describe("computeFee", () => {
  it("adds the tax exactly where floating point would not (1500 at 10 % is 1650, not 1650.0000000000002)", () => {
    expect(computeFee(flowWith(0.1, "floor", 1500), "fee", "ja").includingTax).toBe(1650);
    expect(computeFee(flowWith(0.1, "ceil", 1500), "fee", "ja").includingTax).toBe(1650);
    expect(computeFee(flowWith(0.08, "ceil", 1500), "fee", "en").includingTax).toBe(1620);
  });

  it("keeps a rate's every decimal: 8.25 % of 1000 is 82.5, rounded once as the flow says", () => {
    expect(computeFee(flowWith(0.0825, "floor", 1000), "fee", "ja").includingTax).toBe(1082);
    expect(computeFee(flowWith(0.0825, "round", 1000), "fee", "ja").includingTax).toBe(1083);
    expect(computeFee(flowWith(0.0825, "ceil", 1000), "fee", "ja").includingTax).toBe(1083);
    expect(computeFee(flowWith(0.0825, "floor", 1001), "fee", "ja").includingTax).toBe(1083);
  });

  it("agrees with exact rational arithmetic for rates of up to 4 decimals and any yen amount", () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.nat(10_000), (amount, basisPoints) => {
        const rate = basisPoints / 10_000; // 0–100.00 %
        const exact = BigInt(amount) * BigInt(10_000 + basisPoints); // amount with tax, times 10,000
        expect(computeFee(flowWith(rate, "floor", amount), "fee", "ja").includingTax).toBe(
          Number(exact / 10_000n),
        );
        expect(computeFee(flowWith(rate, "ceil", amount), "fee", "ja").includingTax).toBe(
          Number((exact + 9_999n) / 10_000n),
        );
      }),
      { numRuns: runs(2000) },
    );
  });

  it("scales by the fewest powers of ten the rate needs, so large amounts stay exact", () => {
    // At a needlessly large scale, 40,000,010 * 1.1e12 is beyond 2^53 and ceil gives one yen too many.
    expect(computeFee(flowWith(0.1, "ceil", 40_000_010), "fee", "ja").includingTax).toBe(44_000_011);
    expect(computeFee(flowWith(0.1, "floor", 40_000_010), "fee", "ja").includingTax).toBe(44_000_011);
    fc.assert(
      fc.property(fc.nat(1_000_000_000), fc.nat(10_000), (amount, basisPoints) => {
        const exact = BigInt(amount) * BigInt(10_000 + basisPoints);
        expect(computeFee(flowWith(basisPoints / 10_000, "ceil", amount), "fee", "ja").includingTax).toBe(
          Number((exact + 9_999n) / 10_000n),
        );
      }),
      { numRuns: runs(500) },
    );
  });

  it("gives a fee for a rate with more decimals than it can use exactly (no endless search for the scale)", () => {
    // 1/3 as a double never becomes exact at any power of ten; it is used to 12 decimals.
    expect(computeFee(flowWith(1 / 3, "floor", 3000), "fee", "ja").includingTax).toBe(3999);
    expect(computeFee(flowWith(1 / 3, "ceil", 3000), "fee", "ja").includingTax).toBe(4000);
  });

  it("has no amount with tax when the price list sets the fee, and names an unknown code by itself", () => {
    expect(computeFee(flowWith(0.1, "floor", null), "fee", "ja")).toMatchObject({
      excludingTax: null,
      includingTax: null,
    });
    expect(computeFee(flowWith(0.1, "floor", 1500), "other", "en")).toMatchObject({
      label: "other",
      includingTax: null,
    });
  });
});
