export type Frequency = 'day' | 'week' | 'month';

/** Seasonal period per frequency: a week of days, a year of weeks, a year of months. */
export const SEASONAL_PERIOD: Readonly<Record<Frequency, number>> = { day: 7, week: 52, month: 12 };

/** Calendar days per period, used to turn a per-period forecast into a daily rate for inventory policies. */
export const DAYS_PER_PERIOD: Readonly<Record<Frequency, number>> = { day: 1, week: 7, month: 365.25 / 12 };

export function isFrequency(value: string): value is Frequency {
  return value === 'day' || value === 'week' || value === 'month';
}
