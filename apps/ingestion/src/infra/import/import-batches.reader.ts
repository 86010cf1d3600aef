import { csvFormat } from './csv.format';
import { parseCsvFields } from './csv-fields.parser';
import { ImportBatchBuilder } from './import-batch.builder';
import { ImportFile, openImportFile, streamFrom } from './import-file.source';
import { ImportReaderError } from './import-reader.error';
import {
  IMPORT_FORMATS,
  ImportBatch,
  ImportReaderOptions,
  MALFORMED_CODES,
  RECORD_KINDS,
  SKIP_REASONS,
} from './import.types';
import { movielensFormat } from './movielens.format';
import { ndjsonFormat } from './ndjson.format';
import { onlineRetailFormat } from './online-retail.format';
import { RowFormat } from './row-format';
import { RawRecord, RecordSplitter } from './record.splitter';

const DEFAULT_BATCH_ROWS = 1000;

/**
 * Reads an import file from a byte checkpoint and yields batches of loosely shaped records.
 * Resuming with a batch's `endOffset` (and the rows read so far as `startRow`) continues right after it:
 * no row is lost or read twice. Streams the file; memory stays flat whatever its size.
 * Rows are counted from 1 after the header; blank lines count as rows (skipped as EMPTY_LINE).
 * Nothing is yielded when no row is left to read.
 */
export async function* readImportBatches(options: ImportReaderOptions): AsyncGenerator<ImportBatch> {
  const { startOffset = 0, startRow = 0, batchRows = DEFAULT_BATCH_ROWS } = options;
  checkOptions(options, startOffset, startRow, batchRows);
  const format = formatOf(options);
  const file = await openImportFile(options.path);

  let header: string[] | undefined;
  let dataStart = 0;
  if (format.hasHeader) {
    ({ header, dataStart } = await readHeader(file));
    if (startOffset > 0 && startOffset < dataStart) {
      throw new ImportReaderError('IMPORT.BAD_OFFSET', `Cannot resume at byte ${startOffset}: it is inside the header`);
    }
  }
  const mapRow = format.mapperFor(header);
  const from = Math.max(startOffset, dataStart);
  const bytes = streamFrom(file, from);
  const splitter = new RecordSplitter(from, format.quoteAware);

  let row = startRow;
  let batch = new ImportBatchBuilder();
  let endOffset = from;
  const readRecord = ({ text, end, unterminatedQuote }: RawRecord) => {
    row += 1;
    batch.rowsRead += 1;
    endOffset = end;
    if (unterminatedQuote) {
      batch.reject(row, text, MALFORMED_CODES.UNTERMINATED_QUOTE, 'the file ends inside a quoted field');
    } else if (text.trim() === '') {
      batch.skip(SKIP_REASONS.EMPTY_LINE);
    } else {
      mapRow(text, row, batch);
    }
  };

  for await (const chunk of bytes.chunks) {
    for (const record of splitter.push(chunk)) {
      readRecord(record);
      if (batch.rowsRead >= batchRows) {
        yield batch.build(endOffset, bytes.bytesRead(endOffset), file.fileSize);
        batch = new ImportBatchBuilder();
      }
    }
  }
  for (const record of splitter.end()) readRecord(record);
  if (batch.rowsRead > 0) yield batch.build(endOffset, bytes.bytesRead(endOffset), file.fileSize);
}

function checkOptions(options: ImportReaderOptions, startOffset: number, startRow: number, batchRows: number): void {
  const problems: string[] = [];
  if (!IMPORT_FORMATS.includes(options.format)) problems.push(`format must be one of ${IMPORT_FORMATS.join(', ')}`);
  if (!Number.isSafeInteger(startOffset) || startOffset < 0) problems.push('startOffset must be an integer >= 0');
  if (!Number.isSafeInteger(startRow) || startRow < 0) problems.push('startRow must be an integer >= 0');
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) problems.push('batchRows must be an integer >= 1');
  if ((options.format === 'csv' || options.format === 'ndjson') && !options.kind) {
    problems.push(`kind is required for ${options.format}`);
  }
  if (options.kind !== undefined && !RECORD_KINDS.includes(options.kind)) {
    problems.push(`kind must be one of ${RECORD_KINDS.join(', ')}`);
  }
  if (problems.length > 0) throw new ImportReaderError('IMPORT.INVALID_OPTIONS', problems.join('; '));
}

function formatOf(options: ImportReaderOptions): RowFormat {
  switch (options.format) {
    case 'online-retail':
      return onlineRetailFormat(options.defaultStoreId);
    case 'movielens':
      return movielensFormat();
    case 'csv':
      return csvFormat(options.kind!, options.columnMapping);
    case 'ndjson':
      return ndjsonFormat(options.kind!);
  }
}

/** The header is always read from byte 0, so a resumed read knows the columns too. */
async function readHeader(file: ImportFile): Promise<{ header: string[]; dataStart: number }> {
  const splitter = new RecordSplitter(0, true);
  let first: RawRecord | undefined;
  for await (const chunk of streamFrom(file, 0).chunks) {
    first = splitter.push(chunk)[0];
    if (first) break; // stops (and closes) the stream
  }
  first ??= splitter.end()[0];
  if (!first || first.text.trim() === '') {
    throw new ImportReaderError('IMPORT.MISSING_HEADER', `${file.path} has no header row`);
  }
  const parsed = parseCsvFields(first.text);
  if (!parsed.ok || first.unterminatedQuote) {
    const why = parsed.ok ? 'the file ends inside a quoted field' : parsed.message;
    throw new ImportReaderError('IMPORT.BAD_HEADER', `The header row of ${file.path} cannot be read: ${why}`);
  }
  return { header: parsed.fields, dataStart: first.end };
}
