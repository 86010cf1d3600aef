import { ImportBatchBuilder } from './import-batch.builder';
import { parseCsvFields } from './csv-fields.parser';
import { MALFORMED_CODES } from './import.types';

/** Turns the text of one non-blank data row into records, skips or malformed entries. */
export type RowMapper = (text: string, row: number, batch: ImportBatchBuilder) => void;

/** How one import format reads its rows. */
export interface RowFormat {
  /** CSV quoting decides where rows end (a quoted field may hold newlines). */
  quoteAware: boolean;
  /** The first record is a header naming the columns; it is read again (from byte 0) on resume. */
  hasHeader: boolean;
  /** Checks the header (when the format has one) and returns the row mapper. */
  mapperFor(header: string[] | undefined): RowMapper;
}

/** Splits a CSV data row and checks its width; reports it as malformed and returns undefined otherwise. */
export function splitCsvRow(text: string, row: number, width: number, batch: ImportBatchBuilder): string[] | undefined {
  const parsed = parseCsvFields(text);
  if (!parsed.ok) {
    batch.reject(row, text, parsed.code, parsed.message);
    return undefined;
  }
  if (parsed.fields.length !== width) {
    batch.reject(
      row,
      text,
      MALFORMED_CODES.WRONG_COLUMN_COUNT,
      `expected ${width} fields as in the header, found ${parsed.fields.length}`,
    );
    return undefined;
  }
  return parsed.fields;
}

/** Numbers written as plain decimals become numbers; anything else stays as written for the cleaner to judge. */
export function numberOrText(value: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}
