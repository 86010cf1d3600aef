/** What the bulk importer can read. */
export type ImportFormat = 'online-retail' | 'movielens' | 'csv' | 'ndjson';

export const IMPORT_FORMATS: readonly ImportFormat[] = ['online-retail', 'movielens', 'csv', 'ndjson'];

import type { RecordKind } from '../../domain';

export type { RecordKind } from '../../domain';
export { RECORD_KINDS } from '../../domain';

/** One loosely shaped record for the cleaner; `row` is the 1-based data row it came from. */
export interface ImportRecord {
  kind: RecordKind;
  record: Record<string, unknown>;
  row: number;
}

/** A row that cannot even be split or parsed; the job quarantines it as it is. */
export interface MalformedRow {
  row: number;
  line: string;
  code: string;
  message: string;
}

export interface ImportBatch {
  /** What the rows of this batch produce (a row may produce several records, or none). */
  records: ImportRecord[];
  /** Data rows consumed in this batch (including skipped and malformed ones). */
  rowsRead: number;
  /** Rows skipped on purpose, by reason code (see SKIP_REASONS). */
  skipped: Record<string, number>;
  /** Rows that are returns. */
  returns: number;
  /** Rows without a customer id (imported as anonymous sessions). */
  anonymousRows: number;
  malformed: MalformedRow[];
  /** Byte offset (uncompressed) of the next unread row: resume with `startOffset = endOffset`. */
  endOffset: number;
  /** Bytes of the file consumed so far (compressed bytes for .gz), for progress against fileSize. */
  bytesRead: number;
  fileSize: number;
}

export interface ImportReaderOptions {
  format: ImportFormat;
  /** Plain or gzip (detected by magic bytes). */
  path: string;
  /** A previous batch's endOffset; 0 = from the start. */
  startOffset?: number;
  /** Data rows already consumed at startOffset, so row numbers stay stable across resumes. */
  startRow?: number;
  /** Data rows per batch, default 1000. */
  batchRows?: number;
  /** Required for csv and ndjson. */
  kind?: RecordKind;
  /** csv: record field name (may be dotted) -> column name. */
  columnMapping?: Record<string, string>;
  /** online-retail: store id of its sales lines (default 'online'). */
  defaultStoreId?: string;
}

/** Why a row was skipped on purpose. */
export const SKIP_REASONS = {
  /** A blank (or whitespace-only) line. */
  EMPTY_LINE: 'EMPTY_LINE',
  /** online-retail: postage, fees, discounts, manual entries, gift vouchers — not goods. */
  NON_PRODUCT: 'NON_PRODUCT',
  /** online-retail: invoices starting with 'A' ("Adjust bad debt"). */
  BAD_DEBT_ADJUSTMENT: 'BAD_DEBT_ADJUSTMENT',
  /** online-retail: negative quantity on a non-'C' invoice (stock write-off, price 0, no customer). */
  STOCK_ADJUSTMENT: 'STOCK_ADJUSTMENT',
  /** online-retail: unit price 0 and no customer (stock booked in: "found", "check", "amazon", ...). */
  ZERO_PRICE_NO_CUSTOMER: 'ZERO_PRICE_NO_CUSTOMER',
} as const;

/** Why a row is malformed. */
export const MALFORMED_CODES = {
  WRONG_COLUMN_COUNT: 'WRONG_COLUMN_COUNT',
  BAD_QUOTE: 'BAD_QUOTE',
  UNTERMINATED_QUOTE: 'UNTERMINATED_QUOTE',
  BAD_JSON: 'BAD_JSON',
  NOT_AN_OBJECT: 'NOT_AN_OBJECT',
} as const;
