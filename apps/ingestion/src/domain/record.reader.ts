import type { CleaningContext, RecordError, RecordFlag } from './cleaning.types';
import { currencyMinorDigits, decimalToMinor, isKnownCurrency, netOfTax } from './money.parser';
import { RECORD_ERROR } from './record-error.codes';
import { formatUtcIso, parseTime } from './time.parser';

/*
 * Field readers shared by the record cleaners. Convention for every reader: it returns the cleaned
 * value, `undefined` when the field is absent (undefined, null, '' and other proto3 defaults the caller
 * treats as unset), or `null` when the value is invalid -- the error is then already recorded, so the
 * caller must not add a second one. Readers never throw.
 */

/** Longest id after normalisation (the event schema's `Id`). */
export const MAX_ID_LENGTH = 128;

// Control characters other than whitespace, and invisible zero-width characters; whitespace is collapsed.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_RE = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u200b-\u200d\u2060]/g;
const WHITESPACE_RE = /\s+/g;
const ENUM_SEPARATOR_RE = /[\s-]+/g;
const NUMERIC_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export interface Money {
  minor: number;
  currency: string;
}

/** True when the id is printable ASCII without leading, trailing or repeated spaces: nothing to normalise. */
function isCleanAsciiId(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > MAX_ID_LENGTH) return false;
  let prevSpace = true;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) {
      if (prevSpace) return false;
      prevSpace = true;
    } else if (c < 33 || c > 126) return false;
    else prevSpace = false;
  }
  return !prevSpace;
}

/** Unicode NFC, control characters removed, whitespace runs collapsed to one space, trimmed. */
export function normaliseId(raw: string): string {
  if (isCleanAsciiId(raw)) return raw;
  return raw.normalize('NFC').replace(CONTROL_RE, '').replace(WHITESPACE_RE, ' ').trim();
}

/** Neither undefined (absent) nor null (invalid, already reported). */
export function present<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a bad value for error messages (never the whole of a long string). */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Enum spellings: proto names (`INTERACTION_TYPE_VIEW`), short names in any case (`view`), proto numbers. */
export class EnumTable<T extends string> {
  private readonly byName = new Map<string, T | 'unspecified'>();
  private readonly byNumber = new Map<number, T | 'unspecified'>();

  constructor(
    private readonly prefix: string,
    values: readonly (readonly [shortName: T, protoName: string, protoNumber: number])[],
    extra: Readonly<Record<string, T | 'unspecified'>> = {},
  ) {
    this.add('UNSPECIFIED', 'unspecified', 0);
    for (const [short, proto, num] of values) this.add(proto, short, num);
    for (const [k, v] of Object.entries(extra)) this.byName.set(k, v);
  }

  private add(protoSuffix: string, value: T | 'unspecified', num: number): void {
    const proto = `${this.prefix}${protoSuffix}`;
    for (const k of [proto, proto.toLowerCase(), protoSuffix, protoSuffix.toLowerCase()]) this.byName.set(k, value);
    this.byNumber.set(num, value);
  }

  /** The value, 'unspecified', or undefined when unknown. */
  lookup(raw: string | number): T | 'unspecified' | undefined {
    if (typeof raw === 'number') return this.byNumber.get(raw);
    return this.byName.get(raw) ?? this.byName.get(raw.trim().toLowerCase().replace(ENUM_SEPARATOR_RE, '_'));
  }
}

export class RecordReader {
  readonly errors: RecordError[] = [];
  private idNormalised = false;
  private timeNormalised = false;
  private readonly maxTimeMs: number;
  private readonly minTimeMs: number;
  private receivedAtText: string | undefined;

  constructor(readonly ctx: CleaningContext) {
    this.maxTimeMs = ctx.receivedAt.getTime() + ctx.maxClockSkewMs;
    this.minTimeMs = ctx.earliestTime.getTime();
  }

  /** ctx.receivedAt as ISO-8601 UTC. */
  get receivedAtIso(): string {
    return (this.receivedAtText ??= formatUtcIso(this.ctx.receivedAt.getTime()));
  }

  get failed(): boolean {
    return this.errors.length > 0;
  }

  flags(): RecordFlag[] {
    const flags: RecordFlag[] = [];
    if (this.timeNormalised) flags.push('TIME_NORMALISED');
    if (this.idNormalised) flags.push('ID_NORMALISED');
    return flags;
  }

  /** Records that a time was defaulted from receivedAt (the output differs from the input). */
  markTimeNormalised(): void {
    this.timeNormalised = true;
  }

  error(field: string, code: string, message: string): null {
    this.errors.push({ field, code, message });
    return null;
  }

  required(field: string): null {
    return this.error(field, RECORD_ERROR.FIELD_REQUIRED, `${field} is required`);
  }

  wrongType(field: string, expected: string, value: unknown): null {
    return this.error(
      field,
      RECORD_ERROR.FIELD_WRONG_TYPE,
      `${field} must be ${expected}, got ${describeValue(value)}`,
    );
  }

  /** An id: string or number, normalised; blank is absent. */
  id(value: unknown, field: string): string | undefined | null {
    let s: string;
    if (typeof value === 'string') {
      s = value;
    } else if (value === undefined || value === null) {
      return undefined;
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      s = String(value); // 17850 and 17850.0 are the same number: "17850"
      this.idNormalised = true;
    } else if (typeof value === 'bigint') {
      s = value.toString();
      this.idNormalised = true;
    } else {
      return this.wrongType(field, 'a string id', value);
    }
    const clean = normaliseId(s);
    if (clean !== s) this.idNormalised = true;
    if (clean.length === 0) return undefined;
    if (clean.length > MAX_ID_LENGTH) {
      return this.error(
        field,
        RECORD_ERROR.ID_TOO_LONG,
        `${field} is ${clean.length} characters, at most ${MAX_ID_LENGTH}`,
      );
    }
    return clean;
  }

  requiredId(value: unknown, field: string): string | null {
    const id = this.id(value, field);
    return id === undefined ? this.required(field) : id;
  }

  /** Free text (numbers accepted as text), trimmed; blank is absent. */
  text(value: unknown, field: string, maxLength: number): string | undefined | null {
    let s: string;
    if (typeof value === 'string') s = value.trim();
    else if (value === undefined || value === null) return undefined;
    else if (typeof value === 'number' && Number.isFinite(value)) s = String(value);
    else return this.wrongType(field, 'a string', value);
    if (s.length === 0) return undefined;
    if (s.length > maxLength) {
      return this.error(field, RECORD_ERROR.FIELD_TOO_LONG, `${field} is ${s.length} characters, at most ${maxLength}`);
    }
    return s;
  }

  /** A finite number, also from a numeric string. */
  number(value: unknown, field: string): number | undefined | null {
    if (typeof value === 'number') return Number.isFinite(value) ? value : this.wrongType(field, 'a number', value);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') {
      const s = value.trim();
      if (s.length === 0) return undefined;
      if (NUMERIC_RE.test(s)) return Number(s);
    }
    if (typeof value === 'bigint') return Number(value);
    return this.wrongType(field, 'a number', value);
  }

  int(value: unknown, field: string): number | undefined | null {
    const n = this.number(value, field);
    if (n === undefined || n === null || Number.isSafeInteger(n)) return n;
    return this.error(field, RECORD_ERROR.NUMBER_NOT_INTEGER, `${field} must be a whole number, got ${n}`);
  }

  /** true/false, "true"/"false"/"1"/"0" (any case), 1/0. */
  bool(value: unknown, field: string): boolean | undefined | null {
    if (typeof value === 'boolean') return value;
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') {
      const s = value.trim().toLowerCase();
      if (s === 'true' || s === '1') return true;
      if (s === 'false' || s === '0') return false;
      if (s.length === 0) return undefined;
    } else if (value === 1 || value === 0) {
      return value === 1;
    }
    return this.wrongType(field, 'a boolean', value);
  }

  /** An enum value; absent and UNSPECIFIED are both undefined. */
  enumValue<T extends string>(
    value: unknown,
    field: string,
    table: EnumTable<T>,
    unknownCode: string = RECORD_ERROR.ENUM_UNKNOWN,
  ): T | undefined | null {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') return this.wrongType(field, 'an enum name', value);
    const v = table.lookup(value);
    if (v === undefined) return this.error(field, unknownCode, `${field} has unknown value ${JSON.stringify(value)}`);
    return v === 'unspecified' ? undefined : v;
  }

  /** A time as ISO-8601 UTC with milliseconds, checked against the context's window. */
  time(value: unknown, field: string): string | undefined | null {
    const t = parseTime(value, this.ctx.defaultTimeZone);
    if (t === 'absent') return undefined;
    if (t === 'invalid')
      return this.error(field, RECORD_ERROR.TIME_INVALID, `${field} is not a time: ${describeValue(value)}`);
    if (t.ms > this.maxTimeMs) {
      const ahead = Math.round((t.ms - this.ctx.receivedAt.getTime()) / 1000);
      return this.error(field, RECORD_ERROR.TIME_FAR_FUTURE, `${field} is ${ahead} s after the time it was received`);
    }
    if (t.ms < this.minTimeMs) {
      return this.error(field, RECORD_ERROR.TIME_TOO_OLD, `${field} is before ${this.ctx.earliestTime.toISOString()}`);
    }
    if (t.normalised) this.timeNormalised = true;
    return formatUtcIso(t.ms);
  }

  /**
   * Money as `{ amountMinor, currencyCode }` or `{ amount, currency }` (decimal). With includesTax the
   * result is net of the currency's tax rate; `taxField` names the flag for the error.
   */
  money(value: unknown, field: string, includesTax = false, taxField = 'priceIncludesTax'): Money | undefined | null {
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) return this.wrongType(field, 'money ({ amountMinor, currencyCode })', value);
    const decimal = value.amountMinor === undefined && value.amount !== undefined;
    // An all-default Money ({ amountMinor: 0, currencyCode: '' }) is a message set without content.
    if (
      !decimal &&
      (value.amountMinor === 0 || value.amountMinor === undefined) &&
      !value.currencyCode &&
      !value.currency
    ) {
      return undefined;
    }
    const currencyKey = value.currencyCode === undefined && value.currency !== undefined ? 'currency' : 'currencyCode';
    const amountField = `${field}.${decimal ? 'amount' : 'amountMinor'}`;
    const currencyField = `${field}.${currencyKey}`;
    const errorsBefore = this.errors.length;

    const rawCurrency = value[currencyKey];
    let currency: string | undefined;
    if (typeof rawCurrency === 'string' && rawCurrency.length > 0) {
      const code = rawCurrency.trim().toUpperCase();
      if (isKnownCurrency(code)) currency = code;
    }
    if (currency === undefined) {
      this.error(
        currencyField,
        RECORD_ERROR.CURRENCY_INVALID,
        `${currencyField} must be an ISO-4217 code, got ${describeValue(rawCurrency)}`,
      );
    }

    // proto3 gives amountMinor 0 when unset: a price of 0 is accepted (free items exist).
    const amount = this.number(decimal ? value.amount : value.amountMinor, amountField);
    let minor: number | undefined;
    if (amount === undefined) {
      this.required(amountField);
    } else if (amount !== null) {
      if (amount < 0) {
        this.error(amountField, RECORD_ERROR.PRICE_NEGATIVE, `${amountField} must not be negative, got ${amount}`);
      } else if (!decimal) {
        if (Number.isSafeInteger(amount)) minor = amount;
        else
          this.error(
            amountField,
            RECORD_ERROR.PRICE_INVALID,
            `${amountField} must be whole minor units, got ${amount}`,
          );
      } else if (currency !== undefined) {
        const digits = currencyMinorDigits(currency);
        minor = decimalToMinor(amount, digits);
        if (minor === undefined) {
          this.error(
            amountField,
            RECORD_ERROR.PRICE_INVALID,
            `${amountField} ${amount} has more than ${digits} decimals for ${currency}`,
          );
        }
      }
    }
    if (this.errors.length > errorsBefore || minor === undefined || currency === undefined) return null;

    if (includesTax) {
      const rate = Object.prototype.hasOwnProperty.call(this.ctx.taxRates, currency)
        ? this.ctx.taxRates[currency]
        : undefined;
      if (rate === undefined || !Number.isFinite(rate) || rate < 0) {
        return this.error(taxField, RECORD_ERROR.PRICE_TAX_RATE_UNKNOWN, `no tax rate is configured for ${currency}`);
      }
      minor = netOfTax(minor, rate);
    }
    return { minor, currency };
  }

  /** A nested message; proto3 gives null when unset. */
  object(value: unknown, field: string): Record<string, unknown> | undefined | null {
    if (value === undefined || value === null) return undefined;
    return isRecord(value) ? value : this.wrongType(field, 'an object', value);
  }

  /** A string map; scalar values become strings, null values are dropped, nested values are errors. */
  attributes(value: unknown, field: string): Record<string, string> | null {
    const out: Record<string, string> = {};
    if (value === undefined || value === null) return out;
    if (!isRecord(value)) return this.wrongType(field, 'an object of strings', value);
    let ok = true;
    for (const key of Object.keys(value)) {
      // "__proto__" cannot be a plain data key (assignment would set the prototype; zod drops it too).
      if (key === '__proto__') continue;
      const v = value[key];
      if (typeof v === 'string') out[key] = v;
      else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') out[key] = String(v);
      else if (v !== undefined && v !== null) ok = this.wrongType(`${field}.${key}`, 'a string', v) ?? false;
    }
    return ok ? out : null;
  }

  /** A list of ids (errors name the index, e.g. `shownItemIds[2]`); blank entries are errors. */
  idList(value: unknown, field: string, maxItems: number): string[] | undefined | null {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) return this.wrongType(field, 'an array of ids', value);
    if (value.length > maxItems) {
      return this.error(
        field,
        RECORD_ERROR.FIELD_TOO_LONG,
        `${field} has ${value.length} entries, at most ${maxItems}`,
      );
    }
    const out: string[] = [];
    let ok = true;
    for (let i = 0; i < value.length; i++) {
      const f = `${field}[${i}]`;
      const id = this.id(value[i], f);
      if (id === undefined) ok = this.required(f) ?? false;
      else if (id === null) ok = false;
      else out.push(id);
    }
    return ok ? out : null;
  }
}
