/**
 * Values as Go templates see them, modelled in JavaScript the way Helm hands them over:
 * numbers read from YAML are float64 (`number`), integers made by the template (literals, `int`, `len`)
 * are Go ints (`bigint`), nil is `null`/`undefined`, maps are plain objects, slices are arrays.
 * Keeping floats and ints apart reproduces Helm's real output (`{{ 8388608 }}` from values prints
 * `8.388608e+06`, `printf "%d"` of a float prints `%!d(float64=…)`, `eq` of an int and a float fails).
 */

export type GoValue = string | number | bigint | boolean | null | undefined | GoValue[] | GoMap;
export interface GoMap {
  [key: string]: GoValue;
}

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = TemplateError.name;
  }
}

export const isNil = (v: GoValue): v is null | undefined => v === null || v === undefined;

export const isMap = (v: GoValue): v is GoMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Go type name of a value, as Go's own error messages print it. */
export function goTypeName(v: GoValue): string {
  if (isNil(v)) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** text/template's truth: false, 0, nil and empty strings, slices and maps are false. */
export function isTrue(v: GoValue): boolean {
  if (isNil(v)) return false;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

/** Go's `%v` of a float64: shortest digits, exponent form below 1e-4 and from 1e+06 (strconv 'g', -1). */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, exponentText] = x.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(x);
}

/** Go's `%v` (fmt.Sprint of one value). */
export function formatValue(v: GoValue): string {
  if (isNil(v)) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  const keys = Object.keys(v).sort();
  return `map[${keys.map((k) => `${k}:${formatValue(v[k])}`).join(' ')}]`;
}

type BasicKind = 'invalid' | 'bool' | 'int' | 'float' | 'string' | 'other';

function basicKind(v: GoValue): BasicKind {
  if (isNil(v)) return 'invalid';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  return 'other';
}

/** text/template's `eq arg1 arg2`: nil compares unequal to anything else; int against float64 is an error. */
export function goEqual(a: GoValue, b: GoValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'other' || kb === 'other') {
    throw new TemplateError(`non-comparable types ${goTypeName(a)} and ${goTypeName(b)}`);
  }
  if (ka !== kb) {
    if (ka === 'invalid' || kb === 'invalid') return false;
    throw new TemplateError(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
  }
  return ka === 'invalid' ? true : a === b;
}

/** text/template's `lt`: ordered basic types of the same kind only. */
export function goLess(a: GoValue, b: GoValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb || ka === 'invalid' || ka === 'bool' || ka === 'other') {
    throw new TemplateError(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
  }
  return (a as string | number | bigint) < (b as string | number | bigint);
}

/** A YAML- or JSON-ready copy: Go ints become numbers. */
export function toPlain(v: GoValue): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toPlain);
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
  return v ?? null;
}
