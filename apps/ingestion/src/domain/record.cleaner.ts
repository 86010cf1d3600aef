import { cleanItem, cleanUser } from './catalogue.cleaner';
import type { CleanedRecord, CleaningContext, CleanedRecordOf, CleanResult, RecordKind } from './cleaning.types';
import { cleanInteraction } from './interaction.cleaner';
import { RECORD_ERROR } from './record-error.codes';
import { isRecord, RecordReader } from './record.reader';
import { cleanSalesLine } from './sales-line.cleaner';
import { cleanStockPosition } from './stock-position.cleaner';
import { cleanSupplyParameters } from './supply-parameters.cleaner';

type Cleaner<K extends RecordKind> = (
  input: Record<string, unknown>,
  r: RecordReader,
) => CleanedRecordOf<K> | undefined;

/** The cleaner of a kind returns records of that kind; the union is what callers see. */
type AnyCleaner = (input: Record<string, unknown>, r: RecordReader) => CleanedRecord | undefined;

const CLEANERS: { [K in RecordKind]: Cleaner<K> } = {
  interaction: cleanInteraction,
  item: cleanItem,
  user: cleanUser,
  sales_line: cleanSalesLine,
  stock_position: cleanStockPosition,
  supply_parameters: cleanSupplyParameters,
};

/**
 * Cleans one loosely-shaped record (REST JSON, gRPC-decoded message with proto3 defaults, CSV/NDJSON
 * row) into the event payload of its subject, or lists every field error it has. Pure and total: it
 * reads nothing but its arguments and never throws for bad data.
 */
export function cleanRecord(kind: RecordKind, input: unknown, ctx: CleaningContext): CleanResult {
  if (!isRecord(input)) {
    return {
      ok: false,
      kind,
      errors: [{ field: '', code: RECORD_ERROR.NOT_AN_OBJECT, message: 'a record must be an object' }],
    };
  }
  const reader = new RecordReader(ctx);
  const cleaned = (CLEANERS[kind] as AnyCleaner)(input, reader);
  return cleaned ?? { ok: false, kind, errors: reader.errors };
}
