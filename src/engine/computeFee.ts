import type { Flow } from "../flow/schema.ts";
import type { Fee, Lang } from "./types.ts";

/** Fee amounts and the tax rate are flow data; this only does the arithmetic. */
export function computeFee(flow: Flow, code: string, lang: Lang): Fee {
  const fee = flow.fees[code];
  const amount = fee?.amount ?? null;
  const round = Math[flow.tax.rounding];
  return {
    code,
    label: fee?.label[lang] ?? code,
    excludingTax: amount,
    // Integer arithmetic in per-mille avoids 1500 * 1.1 = 1650.0000000000002.
    includingTax: amount === null ? null : round((amount * Math.round(1000 + flow.tax.rate * 1000)) / 1000),
    taxRate: flow.tax.rate,
  };
}
