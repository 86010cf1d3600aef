import { createHash } from 'node:crypto';
import { parse, stringify } from 'yaml';
import { FunctionTable, LazyTemplateFunction, TemplateFunction } from './go-template.engine';
import {
  formatValue,
  goEqual,
  goLess,
  GoMap,
  GoValue,
  goTypeName,
  isMap,
  isNil,
  isTrue,
  toPlain,
} from './go-template.values';

/**
 * The template functions the chart may call: text/template's built-ins and the Sprig/Helm functions we
 * use, each with Go's argument types (a float64 where Go wants an int or a string is an error, as in Helm).
 * A name missing here is a parse error, so an unsupported function can never render as empty.
 */

/** Kubernetes reads YAML 1.1 (`yes`, `on`, `0644` are not strings there), so we write and read it as 1.1. */
export const YAML_VERSION = '1.1' as const;

function arity(name: string, args: GoValue[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const wanted = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new Error(`wrong number of args for ${name}: want ${wanted} got ${args.length}`);
  }
}

function str(v: GoValue): string {
  if (typeof v === 'string') return v;
  if (isNil(v)) throw new Error('invalid value; expected string');
  throw new Error(`wrong type for value; expected string; got ${goTypeName(v)}`);
}

function int(v: GoValue): number {
  if (typeof v === 'bigint') return Number(v);
  if (isNil(v)) throw new Error('invalid value; expected int');
  throw new Error(`wrong type for value; expected int; got ${goTypeName(v)}`);
}

/** Sprig's strval / toString. */
function strval(v: GoValue): string {
  return formatValue(v);
}

/** Sprig's `empty`: nil, false, 0 and empty strings, lists and maps. */
const empty = (v: GoValue) => !isTrue(v);

/** Go's %q of a string (close to JSON; Go writes \x7f-style escapes for control bytes). */
function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-7][0-9a-f])/g, '\\x$1');
}

/** fmt.Sprintf for the verbs a chart needs: %s %d %v %q %% with an optional width and `-` flag; others fail. */
export function sprintf(format: string, args: GoValue[]): string {
  let next = 0;
  const out = format.replace(/%(-?)(\d*)([%sdvq])|%.?/g, (match, left?: string, width?: string, verb?: string) => {
    if (verb === undefined) throw new Error(`unsupported printf verb ${match}`);
    if (verb === '%') return '%';
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const text = formatVerb(verb, args[next++]);
    const pad = Math.max(0, Number(width || 0) - [...text].length);
    return left ? text + ' '.repeat(pad) : ' '.repeat(pad) + text;
  });
  if (next < args.length) {
    return `${out}%!(EXTRA ${args
      .slice(next)
      .map((a) => `${goTypeName(a)}=${formatValue(a)}`)
      .join(', ')})`;
  }
  return out;
}

function formatVerb(verb: string, arg: GoValue): string {
  const bad = () => `%!${verb}(${isNil(arg) ? '<nil>' : `${goTypeName(arg)}=${formatValue(arg)}`})`;
  switch (verb) {
    case 'v':
      return formatValue(arg);
    case 's':
      return typeof arg === 'string' ? arg : typeof arg === 'object' && !isNil(arg) ? formatValue(arg) : bad();
    case 'q':
      return typeof arg === 'string' ? goQuote(arg) : bad();
    default:
      return typeof arg === 'bigint' ? String(arg) : bad();
  }
}

/** fmt.Sprint: operands separated by a space when neither side is a string. */
function sprint(args: GoValue[]): string {
  let out = '';
  args.forEach((a, k) => {
    if (k > 0 && typeof a !== 'string' && typeof args[k - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

/** Helm's toYaml: sigs.k8s.io/yaml output (keys sorted, sequences not indented), trailing newline trimmed. */
export function toYaml(v: GoValue): string {
  const text = stringify(toPlain(v), {
    version: YAML_VERSION,
    sortMapEntries: true,
    indentSeq: false,
    lineWidth: 0,
    aliasDuplicateObjects: false,
  });
  return text.replace(/\n$/, '');
}

/** Sprig's toInt (spf13/cast): floats truncate, strings parse (base prefixes allowed), failures give 0. */
function toInt(v: GoValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') {
    const s = v.trim().replace(/\.0*$/, '');
    try {
      return /^[+-]?(0[xXoObB])?[0-9a-fA-F]+$/.test(s) ? BigInt(s) : 0n;
    } catch {
      return 0n;
    }
  }
  return 0n;
}

function indent(spaces: number, s: string): string {
  const pad = ' '.repeat(spaces);
  return pad + s.split('\n').join(`\n${pad}`);
}

const lazy = (call: LazyTemplateFunction['call']): LazyTemplateFunction => ({ lazy: true, call });

const fns: Record<string, TemplateFunction | LazyTemplateFunction> = {
  // text/template built-ins
  and: lazy((args) => {
    if (args.length < 1) throw new Error('wrong number of args for and: want at least 1 got 0');
    let value: GoValue = undefined;
    for (const arg of args) {
      value = arg();
      if (!isTrue(value)) return value;
    }
    return value;
  }),
  or: lazy((args) => {
    if (args.length < 1) throw new Error('wrong number of args for or: want at least 1 got 0');
    let value: GoValue = undefined;
    for (const arg of args) {
      value = arg();
      if (isTrue(value)) return value;
    }
    return value;
  }),
  not: (args) => (arity('not', args, 1), !isTrue(args[0])),
  eq: (args) => (arity('eq', args, 2, Infinity), args.slice(1).some((b) => goEqual(args[0], b))),
  ne: (args) => (arity('ne', args, 2), !goEqual(args[0], args[1])),
  lt: (args) => (arity('lt', args, 2), goLess(args[0], args[1])),
  le: (args) => (arity('le', args, 2), goLess(args[0], args[1]) || goEqual(args[0], args[1])),
  gt: (args) => (arity('gt', args, 2), goLess(args[1], args[0])),
  ge: (args) => (arity('ge', args, 2), goLess(args[1], args[0]) || goEqual(args[0], args[1])),
  len: (args) => {
    arity('len', args, 1);
    const v = args[0];
    if (typeof v === 'string') return BigInt(Buffer.byteLength(v));
    if (Array.isArray(v)) return BigInt(v.length);
    if (isMap(v)) return BigInt(Object.keys(v).length);
    throw new Error(`len of type ${goTypeName(v)}`);
  },
  index: (args) => {
    arity('index', args, 1, Infinity);
    let v = args[0];
    for (const key of args.slice(1)) {
      if (isNil(v)) throw new Error('index of untyped nil');
      if (Array.isArray(v)) {
        const k = int(key);
        if (k < 0 || k >= v.length) throw new Error(`index out of range: ${k}`);
        v = v[k];
      } else if (isMap(v)) {
        v = (v as GoMap)[str(key)];
      } else {
        throw new Error(`can't index item of type ${goTypeName(v)}`);
      }
    }
    return v;
  },
  print: (args) => sprint(args),
  printf: (args) => (arity('printf', args, 1, Infinity), sprintf(str(args[0]), args.slice(1))),

  // Helm
  include: (args, context) => (arity('include', args, 2), context.include(str(args[0]), args[1])),
  required: (args) => {
    arity('required', args, 2);
    const [message, value] = args;
    if (isNil(value) || value === '') throw new Error(str(message));
    return value;
  },
  fail: (args) => {
    arity('fail', args, 1);
    throw new Error(str(args[0]));
  },
  toYaml: (args) => (arity('toYaml', args, 1), toYaml(args[0])),
  fromYaml: (args) => {
    arity('fromYaml', args, 1);
    const parsed = parse(str(args[0]), { version: YAML_VERSION }) as GoValue;
    return isMap(parsed) ? parsed : {};
  },

  // Sprig
  default: (args) => (arity('default', args, 1, 2), args.length === 1 || empty(args[1]) ? args[0] : args[1]),
  empty: (args) => (arity('empty', args, 1), empty(args[0])),
  quote: (args) =>
    args
      .filter((a) => !isNil(a))
      .map((a) => goQuote(strval(a)))
      .join(' '),
  toString: (args: GoValue[]) => (arity('toString', args, 1), strval(args[0])),
  int: (args) => (arity('int', args, 1), toInt(args[0])),
  lower: (args) => (arity('lower', args, 1), str(args[0]).toLowerCase()),
  upper: (args) => (arity('upper', args, 1), str(args[0]).toUpperCase()),
  trunc: (args) => {
    arity('trunc', args, 2);
    const c = int(args[0]);
    const s = str(args[1]);
    if (c < 0 && s.length + c > 0) return s.slice(s.length + c);
    if (c >= 0 && s.length > c) return s.slice(0, c);
    return s;
  },
  trimSuffix: (args) => {
    arity('trimSuffix', args, 2);
    const [suffix, s] = [str(args[0]), str(args[1])];
    return suffix && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
  },
  trimPrefix: (args) => {
    arity('trimPrefix', args, 2);
    const [prefix, s] = [str(args[0]), str(args[1])];
    return s.startsWith(prefix) ? s.slice(prefix.length) : s;
  },
  replace: (args) => (arity('replace', args, 3), str(args[2]).split(str(args[0])).join(str(args[1]))),
  contains: (args) => (arity('contains', args, 2), str(args[1]).includes(str(args[0]))),
  hasPrefix: (args) => (arity('hasPrefix', args, 2), str(args[1]).startsWith(str(args[0]))),
  indent: (args) => (arity('indent', args, 2), indent(int(args[0]), str(args[1]))),
  nindent: (args) => (arity('nindent', args, 2), `\n${indent(int(args[0]), str(args[1]))}`),
  b64enc: (args) => (arity('b64enc', args, 1), Buffer.from(str(args[0]), 'utf8').toString('base64')),
  sha256sum: (args) => (arity('sha256sum', args, 1), createHash('sha256').update(str(args[0])).digest('hex')),
  list: (args) => [...args],
  dict: (args) => {
    const map: GoMap = {};
    for (let k = 0; k < args.length; k += 2) map[strval(args[k])] = k + 1 < args.length ? args[k + 1] : '';
    return map;
  },
  hasKey: (args) => {
    arity('hasKey', args, 2);
    const [map, key] = args;
    if (isNil(map)) return false;
    if (!isMap(map)) throw new Error(`wrong type for value; expected map[string]interface {}; got ${goTypeName(map)}`);
    return Object.hasOwn(map, str(key));
  },
};

export const TEMPLATE_FUNCTIONS: FunctionTable = fns;
