import { Injectable } from '@nestjs/common';

/** The time, behind an injectable so that a test or a replay can move it. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  /** Today's UTC calendar day, `YYYY-MM-DD`. */
  today(): string {
    return this.now().toISOString().slice(0, 10);
  }
}

/** `YYYY-MM-DD` plus `days` (negative: earlier). */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
