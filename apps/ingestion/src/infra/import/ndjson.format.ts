import { MALFORMED_CODES, RecordKind } from './import.types';
import { RowFormat } from './row-format';

/** One JSON object per line, all of one kind. */
export function ndjsonFormat(kind: RecordKind): RowFormat {
  return {
    quoteAware: false,
    hasHeader: false,
    mapperFor: () => (text, row, batch) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        return batch.reject(row, text, MALFORMED_CODES.BAD_JSON, (error as Error).message);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        const found = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
        return batch.reject(row, text, MALFORMED_CODES.NOT_AN_OBJECT, `expected a JSON object, found ${found}`);
      }
      batch.add(kind, value as Record<string, unknown>, row);
    },
  };
}
