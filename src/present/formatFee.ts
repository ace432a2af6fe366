import type { Fee, Lang } from "../engine/types.ts";

const yen = new Intl.NumberFormat("ja-JP");

/** "1,500円（税別） / 1,650円（税込）", or the price-list wording when the flow sets no amount. */
export function formatFee(
  fee: Fee,
  lang: Lang,
): { excludingTax: string; includingTax: string; line: string } {
  if (fee.excludingTax === null || fee.includingTax === null) {
    const text = lang === "ja" ? "料金表のとおり" : "per the price list";
    const line = lang === "ja" ? `${fee.label}：${text}` : `${fee.label}: ${text}`;
    return { excludingTax: text, includingTax: text, line };
  }
  if (fee.excludingTax === 0) {
    const free = lang === "ja" ? "0円" : "JPY 0";
    return {
      excludingTax: free,
      includingTax: free,
      line: `${fee.label}（${free}）`.replace("（JPY 0）", " (JPY 0)"),
    };
  }
  const percent = Math.round(fee.taxRate * 100);
  if (lang === "ja") {
    const excludingTax = `${yen.format(fee.excludingTax)}円（税別）`;
    const includingTax = `${yen.format(fee.includingTax)}円（税込）`;
    return {
      excludingTax,
      includingTax,
      line: `${fee.label}：${excludingTax} / ${includingTax}（消費税${percent}%）`,
    };
  }
  const excludingTax = `JPY ${yen.format(fee.excludingTax)} (excluding tax)`;
  const includingTax = `JPY ${yen.format(fee.includingTax)} (including ${percent}% tax)`;
  return { excludingTax, includingTax, line: `${fee.label}: ${excludingTax} / ${includingTax}` };
}
