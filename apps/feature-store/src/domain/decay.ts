/**
 * An exponentially time-decayed sum: each contribution w made at time t is worth w·2^(-(now-t)/h)
 * now. Kept as (value at `at`, `at`), so adding is O(1) and the result does not depend on the order
 * in which contributions arrive (up to floating-point rounding).
 */
export interface Decayed {
  v: number;
  at: number;
}

export function emptyDecayed(): Decayed {
  return { v: 0, at: 0 };
}

export function addDecayed(d: Decayed, weight: number, at: number, halfLifeMs: number): void {
  if (weight === 0) return;
  if (d.v === 0 && d.at === 0) {
    d.v = weight;
    d.at = at;
  } else if (at >= d.at) {
    d.v = d.v * Math.pow(2, -(at - d.at) / halfLifeMs) + weight;
    d.at = at;
  } else {
    d.v += weight * Math.pow(2, -(d.at - at) / halfLifeMs);
  }
}

/** The sum's worth at `now` (never grown for a `now` before the last contribution). */
export function decayedAt(d: Decayed | undefined, now: number, halfLifeMs: number): number {
  if (!d || d.v === 0) return 0;
  return now <= d.at ? d.v : d.v * Math.pow(2, -(now - d.at) / halfLifeMs);
}
