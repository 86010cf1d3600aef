/**
 * Money in both wire shapes: proto `{ amountMinor, currencyCode }` and decimal `{ amount, currency }`,
 * converted to minor units with the currency's digits from Intl (GBP 2, JPY 0, KWD 3).
 */

let knownCurrencies: ReadonlySet<string> | undefined;
const minorDigits = new Map<string, number>();

/** Whether Intl knows the ISO-4217 code (upper case). */
export function isKnownCurrency(code: string): boolean {
  knownCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  return knownCurrencies.has(code);
}

/** Digits after the decimal point of the currency's minor unit, as Intl (CLDR) knows them. */
export function currencyMinorDigits(code: string): number {
  let d = minorDigits.get(code);
  if (d === undefined) {
    d = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigits.set(code, d);
  }
  return d;
}

const POWERS_OF_TEN = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000];

/**
 * A decimal amount in minor units, or undefined when it has more decimals than the currency allows
 * (2.555 GBP). Floating-point noise (2.55 * 100 = 254.99999999999997) is rounded away.
 */
export function decimalToMinor(amount: number, digits: number): number | undefined {
  const scaled = amount * (POWERS_OF_TEN[digits] ?? 10 ** digits);
  const minor = Math.round(scaled);
  // One float64 multiplication errs by about one ulp; anything larger is a real fraction of a minor unit.
  return Math.abs(scaled - minor) <= Math.max(1e-6, Math.abs(scaled) * 1e-14) && Number.isSafeInteger(minor)
    ? minor
    : undefined;
}

/** A gross price net of tax: round(gross / (1 + rate)), half away from zero for positive amounts. */
export function netOfTax(grossMinor: number, rate: number): number {
  return Math.round(grossMinor / (1 + rate));
}
