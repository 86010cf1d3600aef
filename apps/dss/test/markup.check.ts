/**
 * Test helpers for the report formats, with no browser and no parser library: a well-formedness check for the
 * HTML page (every element closed in order, attributes quoted, entities known) and an RFC 4180 CSV reader.
 */

const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'col', 'area', 'base', 'source', 'wbr']);
const ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', '#39', 'nbsp']);

/** Problems that would stop an XML parser (empty when the markup is well-formed). */
export function markupProblems(html: string): string[] {
  const problems: string[] = [];
  const body = html.replace(/^<!DOCTYPE html>\s*/i, '');
  const stack: string[] = [];
  const tag =
    /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*="[^"<]*")*)\s*(\/?)>|<(?!\/?[a-zA-Z])|&(?!([a-zA-Z]+|#\d+);)/g;
  let m: RegExpExecArray | null;
  let inStyle = false;
  let last = 0;
  while ((m = tag.exec(body))) {
    const between = body.slice(last, m.index);
    if (!inStyle && /[<>]/.test(between)) problems.push(`stray < or > near ${JSON.stringify(between.slice(0, 40))}`);
    last = m.index + m[0].length;
    if (m[2] === undefined) {
      if (!inStyle)
        problems.push(`unescaped ${m[0]} at ${m.index}: ${JSON.stringify(body.slice(m.index, m.index + 30))}`);
      continue;
    }
    const [, closing, name, , selfClosing] = m;
    const lower = name.toLowerCase();
    if (inStyle && !(closing && lower === 'style')) continue;
    if (closing) {
      const open = stack.pop();
      if (open !== lower) problems.push(`</${lower}> closes <${open ?? 'nothing'}> at ${m.index}`);
      if (lower === 'style') inStyle = false;
    } else if (!selfClosing && !VOID.has(lower)) {
      stack.push(lower);
      if (lower === 'style') inStyle = true;
    }
  }
  for (const entity of html.matchAll(/&([a-zA-Z]+|#\d+);/g)) {
    if (!ENTITIES.has(entity[1])) problems.push(`unknown entity &${entity[1]};`);
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  return problems;
}

/** Text content of the first element with this id (tags stripped, entities decoded). */
export function textOf(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) return '';
  const open = html.lastIndexOf('<', start);
  const name = /^<([a-z0-9]+)/i.exec(html.slice(open))![1];
  const end = html.indexOf(`</${name}>`, start);
  return decode(html.slice(open, end).replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

export function decode(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** RFC 4180: records end with CRLF; fields may be quoted, with "" for a quote; returns rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') throw new Error(`bare line break at ${i}: records must end with CRLF`);
    else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('the last record does not end with CRLF');
  return rows;
}

/** CSV rows as objects keyed by the header row. */
export function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  rows.forEach((r, i) => {
    if (r.length !== header.length) throw new Error(`row ${i + 1} has ${r.length} fields, the header ${header.length}`);
  });
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}
