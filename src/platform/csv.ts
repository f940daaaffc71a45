// CSV as RFC 4180 describes it (what spreadsheets open): comma-separated, CRLF line ends, a
// field quoted when it holds a comma, a quote or a line break, quotes inside doubled.
export type CsvValue = string | number | boolean | null | undefined;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A header line and one line per row, each ending in CRLF. It starts with a UTF-8 byte-order
 * mark: without it, spreadsheet programs misread accents (ñ, á) in Spanish text.
 */
export function toCsv<K extends string>(
  columns: readonly K[],
  rows: Record<K, CsvValue>[],
): string {
  const line = (values: CsvValue[]) => `${values.map(csvField).join(',')}\r\n`;
  return (
    '\uFEFF' + line([...columns]) + rows.map((row) => line(columns.map((c) => row[c]))).join('')
  );
}
