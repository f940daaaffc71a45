// CSV as RFC 4180 describes it (what spreadsheets open): comma-separated, CRLF line ends, a
// field quoted when it holds a comma, a quote or a line break, quotes inside doubled.
export type CsvValue = string | number | boolean | null | undefined;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (values: CsvValue[]) => `${values.map(csvField).join(',')}\r\n`;

/**
 * The byte-order mark and the header line. Without the mark, spreadsheet programs misread
 * accents (ñ, á) in Spanish text.
 */
export const csvHeader = (columns: readonly string[]): string => '\uFEFF' + csvLine([...columns]);

/** The lines of these rows (CRLF line ends), without a header. */
export const csvRows = <K extends string>(
  columns: readonly K[],
  rows: Record<K, CsvValue>[],
): string => rows.map((row) => csvLine(columns.map((c) => row[c]))).join('');
