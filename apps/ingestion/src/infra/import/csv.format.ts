import { ImportReaderError } from './import-reader.error';
import { RecordKind } from './import.types';
import { RowFormat, splitCsvRow } from './row-format';

/** Fields whose cell holds a `|`-separated list. */
const LIST_FIELDS = new Set(['categories', 'shownItemIds']);
/** Map-valued fields: the keys under them are the shop's own attribute names and are kept as written. */
const MAP_FIELDS = new Set(['attributes']);
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Generic CSV with a header. Column names are field names (camelCase, or snake_case turned into
 * camelCase), dotted for nested fields (`unitPrice.amount`); `columnMapping` names the column of a field
 * when it is called differently. Empty cells are left out; values stay strings for the cleaner.
 */
export function csvFormat(kind: RecordKind, columnMapping: Record<string, string> = {}): RowFormat {
  return {
    quoteAware: true,
    hasHeader: true,
    mapperFor(header) {
      const paths = planColumns(header ?? [], columnMapping);
      const width = paths.length;
      return (text, row, batch) => {
        const cells = splitCsvRow(text, row, width, batch);
        if (!cells) return;
        const record: Record<string, unknown> = {};
        for (let i = 0; i < width; i += 1) {
          const path = paths[i];
          const cell = cells[i];
          if (!path || cell === '') continue;
          const value = path.length === 1 && LIST_FIELDS.has(path[0]) ? cell.split('|').filter(Boolean) : cell;
          setPath(record, path, value);
        }
        batch.add(kind, record, row);
      };
    },
  };
}

/** The field path of each column (undefined: column ignored), checked for clashes. */
export function planColumns(header: string[], columnMapping: Record<string, string>): Array<string[] | undefined> {
  const names = header.map((name) => name.trim());
  const mappedColumns = new Map<string, string>();
  for (const [field, column] of Object.entries(columnMapping)) {
    if (!names.includes(column)) {
      throw new ImportReaderError(
        'IMPORT.MISSING_COLUMN',
        `Column "${column}" (mapped to ${field}) is not in the header (found: ${names.join(', ')})`,
      );
    }
    mappedColumns.set(column, field);
  }
  const mappedFields = new Set(mappedColumns.values());
  const paths = names.map((name) => {
    const mapped = mappedColumns.get(name);
    if (mapped !== undefined) return mapped.split('.');
    const path = fieldPath(name);
    // A column whose natural field was given to another column by the mapping is ignored.
    return path.length === 0 || mappedFields.has(path.join('.')) ? undefined : path;
  });
  assertNoClash(names, paths);
  return paths;
}

/** `unit_price.amount` -> ['unitPrice', 'amount']; keys under `attributes` are kept as written. */
export function fieldPath(column: string): string[] {
  if (column === '') return [];
  const segments = column.split('.');
  return segments.map((segment, i) => (i > 0 && MAP_FIELDS.has(segments[i - 1]) ? segment : camelCase(segment)));
}

/** `unit_price` -> `unitPrice`, `Brand` -> `brand`, `ItemId` -> `itemId`; `SKU` and `itemId` stay. */
function camelCase(name: string): string {
  const joined = name.replace(/[_\s-]+([^_\s-])/g, (_, next: string) => next.toUpperCase());
  return /^[A-Z][a-z]/.test(joined) ? joined[0].toLowerCase() + joined.slice(1) : joined;
}

function assertNoClash(names: string[], paths: Array<string[] | undefined>): void {
  const seen = new Map<string, string>();
  for (let i = 0; i < paths.length; i += 1) {
    const path = paths[i];
    if (!path) continue;
    if (path.some((segment) => segment === '' || FORBIDDEN_SEGMENTS.has(segment))) {
      throw new ImportReaderError('IMPORT.BAD_HEADER', `Column "${names[i]}" is not a usable field name`);
    }
    const key = path.join('.');
    for (const [other, column] of seen) {
      if (other === key || other.startsWith(`${key}.`) || key.startsWith(`${other}.`)) {
        throw new ImportReaderError(
          'IMPORT.BAD_HEADER',
          `Columns "${column}" and "${names[i]}" both write field ${other === key ? key : `${other} / ${key}`}`,
        );
      }
    }
    seen.set(key, names[i]);
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i += 1) {
    const next = node[path[i]];
    if (typeof next === 'object' && next !== null) {
      node = next as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      node[path[i]] = created;
      node = created;
    }
  }
  node[path[path.length - 1]] = value;
}
