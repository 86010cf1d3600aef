/** Dates are ISO calendar days (`YYYY-MM-DD`) in UTC; arithmetic uses whole days since 1970-01-01. */

const MS_PER_DAY = 86_400_000;

export function toEpochDay(date: string | Date): number {
  if (date instanceof Date) return Math.floor(date.getTime() / MS_PER_DAY);
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) throw new RangeError(`Not an ISO date (YYYY-MM-DD): ${date}`);
  return Math.floor(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / MS_PER_DAY);
}

export function fromEpochDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday (JavaScript's convention). */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** Monday of the ISO week that contains the day. */
export function isoWeekStart(day: number): number {
  return day - ((weekdayOf(day) + 6) % 7);
}

/** `YYYY-MM` of the day. */
export function monthOf(day: number): string {
  return fromEpochDay(day).slice(0, 7);
}
