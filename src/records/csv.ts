/** RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they hold a comma, quote, line break or edge spaces. */
export function toCsv<Row extends Record<string, unknown>>(
  columns: readonly (keyof Row & string)[],
  rows: readonly Row[],
): string {
  return csvLine(columns) + rows.map((r) => csvLine(columns.map((c) => r[c]))).join("");
}

/** One CSV record with its CRLF. */
export function csvLine(fields: readonly unknown[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

export function csvField(value: unknown): string {
  const s = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}
