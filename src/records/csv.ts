/** RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they hold a comma, quote, line break or edge spaces. */
export function toCsv<Row extends Record<string, unknown>>(
  columns: readonly (keyof Row & string)[],
  rows: readonly Row[],
): string {
  const line = (fields: readonly unknown[]) => fields.map(csvField).join(",");
  return [line(columns), ...rows.map((r) => line(columns.map((c) => r[c])))].map((l) => `${l}\r\n`).join("");
}

export function csvField(value: unknown): string {
  const s = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}
