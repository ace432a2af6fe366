import type { Flow } from "../flow/schema.ts";
import type { Fee, Lang } from "./types.ts";

/** Fee amounts and the tax rate are flow data; this only does the arithmetic. */
export function computeFee(flow: Flow, code: string, lang: Lang): Fee {
  const fee = flow.fees[code];
  const amount = fee?.amount ?? null;
  return {
    code,
    label: fee?.label[lang] ?? code,
    excludingTax: amount,
    includingTax: amount === null ? null : addTax(amount, flow.tax.rate, flow.tax.rounding),
    taxRate: flow.tax.rate,
  };
}

/**
 * The amount with tax, rounded as the flow says. The rate is taken as the
 * decimal fraction it was written as (0.1, 0.08, 0.0825), so the product is an
 * exact integer before the one rounding: 1500 * 1.1 in floating point is
 * 1650.0000000000002, and a rate scaled to per-mille would turn 8.25 % into 8.3 %.
 */
function addTax(amount: number, rate: number, rounding: Flow["tax"]["rounding"]): number {
  let scale = 1;
  // Rates are written with a few decimals; 1e-12 would already be far below one yen.
  while (scale < 1e12 && Math.round(rate * scale) / scale !== rate) scale *= 10;
  const withTax = amount * (scale + Math.round(rate * scale));
  // Exact as long as it is an integer below 2^53; beyond that, plain arithmetic is as good as any.
  return Math[rounding](withTax / scale);
}
