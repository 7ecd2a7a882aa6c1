/**
 * CSV rows (RFC 4180) for spreadsheets: a cell is quoted when it holds a comma, a quote or a line
 * break. Text that starts like a formula (=, +, -, @, tab, CR) gets a leading apostrophe, so a
 * spreadsheet shows a serial such as "=1+2" instead of evaluating it (CSV injection); the JSON
 * export carries every value exactly.
 */
export type CsvCell = string | number | boolean | null;

export function csvRow(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function csvCell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
