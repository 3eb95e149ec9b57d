/**
 * CSV export: RFC 4180 quoting (csv-stringify) with CRLF line ends, and protection against
 * formula injection — a cell that a spreadsheet would run as a formula (starting with = + - @,
 * tab, carriage return or NUL) is prefixed with a single quote, as OWASP recommends.
 */
import { stringify as stringifySync } from 'csv-stringify/sync';
import { stringify, type Stringifier } from 'csv-stringify';

const FORMULA_START = /^[=+\-@\t\r\0]/;

/** Makes one value safe to open in a spreadsheet. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export type CellValue = string | number | boolean | Date | null | undefined | readonly string[];

function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

const OPTIONS = {
  record_delimiter: 'windows' as const,
  quoted_match: /^\s|\s$/,
  cast: {
    // Numbers and booleans never start a formula; strings are checked.
    string: (v: string) => neutraliseFormula(v),
  },
};

/** The whole CSV at once (header + rows). `bom` helps Excel open UTF-8 correctly. */
export function toCsv(headers: readonly string[], rows: readonly (readonly CellValue[])[], options: { bom?: boolean } = {}): string {
  const body = stringifySync([headers.map(String), ...rows.map((r) => r.map(cellText))], OPTIONS);
  return options.bom ? `\uFEFF${body}` : body;
}

/** A streaming writer: write `CellValue[]` rows, read CSV text; the header goes first. */
export function createCsvWriter(headers: readonly string[], options: { bom?: boolean } = {}): {
  stream: Stringifier;
  write(row: readonly CellValue[]): boolean;
  end(): void;
} {
  const stream = stringify({ ...OPTIONS, bom: options.bom ?? false });
  stream.write(headers.map(String));
  return {
    stream,
    write: (row) => stream.write(row.map(cellText)),
    end: () => stream.end(),
  };
}
