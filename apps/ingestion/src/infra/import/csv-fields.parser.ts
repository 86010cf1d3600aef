import { MALFORMED_CODES } from './import.types';

export type CsvParseResult = { ok: true; fields: string[] } | { ok: false; code: string; message: string };

/**
 * Splits one CSV record (RFC 4180; the record may hold newlines inside quoted fields) into fields.
 * A quote opens a quoted field only at the start of a field, elsewhere it is a plain character (the
 * same rule as RecordSplitter, which decides where records end).
 */
export function parseCsvFields(text: string): CsvParseResult {
  if (text.indexOf('"') === -1) return { ok: true, fields: text.split(',') };
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === 0x22) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q === -1) {
          return {
            ok: false,
            code: MALFORMED_CODES.UNTERMINATED_QUOTE,
            message: `quoted field ${fields.length + 1} is not closed`,
          };
        }
        value += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 0x22) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === text.length) return { ok: true, fields };
      if (text.charCodeAt(i) !== 0x2c) {
        return {
          ok: false,
          code: MALFORMED_CODES.BAD_QUOTE,
          message: `field ${fields.length} has text after its closing quote`,
        };
      }
      i += 1;
    } else {
      const comma = text.indexOf(',', i);
      if (comma === -1) {
        fields.push(text.slice(i));
        return { ok: true, fields };
      }
      fields.push(text.slice(i, comma));
      i = comma + 1;
    }
  }
}
