/**
 * RFC 4180 CSV records from text: quoted fields may hold commas, quotes ("") and newlines; CRLF or LF endings.
 * A generator, so a large file never becomes an array of arrays.
 */
export function* readCsvRecords(text: string, delimiter = ','): Generator<string[]> {
  const n = text.length;
  let p = 0;
  const d = delimiter.charCodeAt(0);
  while (p < n) {
    const record: string[] = [];
    for (;;) {
      let field: string;
      if (text.charCodeAt(p) === 34 /* " */) {
        let out = '';
        let q = p + 1;
        for (;;) {
          const close = text.indexOf('"', q);
          if (close < 0) {
            out += text.slice(q);
            q = n;
            break;
          }
          out += text.slice(q, close);
          if (text.charCodeAt(close + 1) === 34) {
            out += '"';
            q = close + 2;
          } else {
            q = close + 1;
            break;
          }
        }
        field = out;
        p = q;
      } else {
        let q = p;
        while (q < n) {
          const c = text.charCodeAt(q);
          if (c === d || c === 10 || c === 13) break;
          q++;
        }
        field = text.slice(p, q);
        p = q;
      }
      record.push(field);
      const c = text.charCodeAt(p);
      if (c === d) {
        p++;
        continue;
      }
      if (c === 13) p++;
      if (text.charCodeAt(p) === 10) p++;
      break;
    }
    if (!(record.length === 1 && record[0] === '')) yield record;
  }
}
