import { ImportBatch, ImportRecord, MalformedRow, RecordKind } from './import.types';

/** Collects what the rows of one batch produce; the formats write into it. */
export class ImportBatchBuilder {
  readonly records: ImportRecord[] = [];
  readonly skipped: Record<string, number> = {};
  readonly malformed: MalformedRow[] = [];
  rowsRead = 0;
  returns = 0;
  anonymousRows = 0;

  add(kind: RecordKind, record: Record<string, unknown>, row: number): void {
    this.records.push({ kind, record, row });
  }

  skip(reason: string): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }

  reject(row: number, line: string, code: string, message: string): void {
    this.malformed.push({ row, line, code, message });
  }

  build(endOffset: number, bytesRead: number, fileSize: number): ImportBatch {
    return {
      records: this.records,
      rowsRead: this.rowsRead,
      skipped: this.skipped,
      returns: this.returns,
      anonymousRows: this.anonymousRows,
      malformed: this.malformed,
      endOffset,
      bytesRead,
      fileSize,
    };
  }
}
