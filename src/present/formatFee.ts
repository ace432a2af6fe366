import type { Fee, Lang } from "../engine/types.ts";

const yen = new Intl.NumberFormat("ja-JP");

/** "1,500円（税別） / 1,650円（税込）", or the price-list wording when the flow sets no amount. */
export function formatFee(
  fee: Fee,
  lang: Lang,
): { excludingTax: string; includingTax: string; line: string } {
  const percent = Math.round(fee.taxRate * 100);
  let excludingTax: string;
  let includingTax: string;
  if (fee.excludingTax === null || fee.includingTax === null) {
    // The flow sets no amount: the price list does, and tax is added to it.
    excludingTax = lang === "ja" ? "料金表のとおり（税別）" : "per the price list (excl. tax)";
    includingTax = lang === "ja" ? `税込は消費税${percent}%を加算` : `plus ${percent}% consumption tax`;
  } else if (lang === "ja") {
    excludingTax = `${yen.format(fee.excludingTax)}円（税別）`;
    includingTax = `${yen.format(fee.includingTax)}円（税込）`;
  } else {
    excludingTax = `${yen.format(fee.excludingTax)} JPY excl. tax`;
    includingTax = `${yen.format(fee.includingTax)} JPY incl. tax`;
  }
  const separator = lang === "ja" ? "：" : ": ";
  return { excludingTax, includingTax, line: `${fee.label}${separator}${excludingTax} / ${includingTax}` };
}
