import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/** Splits one CSV record (RFC 4180: quoted fields, doubled quotes). Returns undefined while a quote is still open. */
export function splitCsvRecord(record: string): string[] | undefined {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const ch = record[i];
    if (quoted) {
      if (ch === '"') {
        if (record[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) return undefined;
  out.push(field.endsWith('\r') ? field.slice(0, -1) : field);
  return out;
}

/**
 * Streams a CSV or gzip-compressed CSV (by the `.gz` extension) as records keyed by header name. Quoted fields may
 * contain commas and line breaks.
 */
export async function* readCsv(path: string): AsyncGenerator<Record<string, string>> {
  const stream = createReadStream(path);
  const input = path.endsWith('.gz') ? stream.pipe(createGunzip()) : stream;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let header: string[] | undefined;
  let pending = '';
  for await (const line of lines) {
    const record = pending ? `${pending}\n${line}` : line;
    const fields = splitCsvRecord(record);
    if (!fields) {
      pending = record;
      continue;
    }
    pending = '';
    if (!header) {
      header = fields.map((h) => h.replace(/^\uFEFF/, '').trim());
      continue;
    }
    if (fields.length === 1 && fields[0] === '') continue;
    const row: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) row[header[i]] = fields[i] ?? '';
    yield row;
  }
}

/** Reads only the header line (to validate column names before a long read). */
export async function readCsvHeader(path: string): Promise<string[]> {
  for await (const row of readCsv(path)) return Object.keys(row);
  return [];
}
