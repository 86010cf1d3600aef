import { DomainError, ErrorKind } from '@app/platform/errors/domain-error';

export type ImportReaderErrorCode =
  | 'IMPORT.INVALID_OPTIONS'
  | 'IMPORT.BAD_OFFSET'
  | 'IMPORT.MISSING_HEADER'
  | 'IMPORT.BAD_HEADER'
  | 'IMPORT.MISSING_COLUMN'
  | 'IMPORT.RECORD_TOO_LONG';

/** The file or the options cannot be read at all (a bad row is `malformed`, not an error). */
export class ImportReaderError extends DomainError {
  constructor(code: ImportReaderErrorCode, message: string) {
    super(code, ErrorKind.InvalidArgument, message);
  }
}
