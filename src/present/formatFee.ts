import type { Fee, Lang } from "../engine/types.ts";

const yen = new Intl.NumberFormat("ja-JP");

/** "1,500円（税別） / 1,650円（税込）", or the price-list wording when the flow sets no amount. */
export function formatFee(
  fee: Fee,
  lang: Lang,
): { excludingTax: string; includingTax: string; line: string } {
  let excludingTax: string;
  let includingTax: string;
  if (fee.excludingTax === null || fee.includingTax === null) {
    // The flow sets no amount: the price list does. The FAQ does not say
    // whether that price includes tax, so neither do we.
    excludingTax = lang === "ja" ? "料金表のとおり" : "per the price list";
    includingTax =
      lang === "ja" ? "税込の金額も料金表でご確認ください" : "see the price list for the amount incl. tax";
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
