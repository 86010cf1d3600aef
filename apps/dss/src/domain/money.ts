/** Building an Intl.NumberFormat costs tens of µs, and a computation asks for the same few currencies per pair. */
const digitsByCurrency = new Map<string, number>();

/** Digits after the decimal point of a currency's minor unit (EUR 2, JPY 0, BHD 3); 2 when unknown. */
export function minorUnitDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits =
        new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    if (digitsByCurrency.size < 1000) digitsByCurrency.set(currency, digits);
  }
  return digits;
}

export function fromMinor(amountMinor: number, currency: string): number {
  return amountMinor / 10 ** minorUnitDigits(currency);
}

export function toMinor(amount: number, currency: string): number {
  return Math.round(amount * 10 ** minorUnitDigits(currency));
}

/** For people: "EUR 1,234.50". */
export function formatMoneyMinor(amountMinor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const amount = fromMinor(amountMinor, currency).toLocaleString('en-GB', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return `${currency} ${amount}`;
}
