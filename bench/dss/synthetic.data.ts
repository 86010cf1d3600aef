import { seededRandom } from '@app/forecasting';

export type SyntheticKind = 'smooth' | 'intermittent' | 'lumpy';

export interface SyntheticSku {
  sku: string;
  kind: SyntheticKind;
  values: number[];
  leadTimeDays: number;
  leadTimeSdDays: number;
  unitCost: number;
  packSize: number;
  onHand: number;
}

const WEEKLY = [0.9, 1.0, 1.0, 1.05, 1.15, 1.4, 0.5]; // Mon … Sun

/**
 * One seeded synthetic SKU with two years of daily demand. The mix mimics a retail long tail: 40% smooth (Poisson
 * around a drifting level with a weekly pattern), 45% intermittent (rare small orders), 15% lumpy (rare, large and
 * variable orders). Index i always gives the same SKU, so workers can generate their share independently.
 */
export function syntheticSku(i: number, days = 730): SyntheticSku {
  const u = seededRandom(7919 * (i + 1));
  const poisson = (mean: number): number => {
    if (mean > 30)
      return Math.max(
        0,
        Math.round(mean + Math.sqrt(mean) * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u())),
      );
    const limit = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= u();
    } while (p > limit);
    return k - 1;
  };
  const r = u();
  const kind: SyntheticKind = r < 0.4 ? 'smooth' : r < 0.85 ? 'intermittent' : 'lumpy';
  const values: number[] = [];
  if (kind === 'smooth') {
    let level = 2 + 60 * u() * u();
    const drift = (u() - 0.5) * 0.004;
    const yearly = 0.3 * u();
    for (let t = 0; t < days; t++) {
      level = Math.max(0.5, level * (1 + drift + (u() - 0.5) * 0.02));
      const season = WEEKLY[t % 7] * (1 + yearly * Math.sin((2 * Math.PI * t) / 365.25));
      values.push(poisson(level * season));
    }
  } else if (kind === 'intermittent') {
    const p = 0.03 + 0.35 * u();
    const size = 0.5 + 3 * u();
    for (let t = 0; t < days; t++) values.push(u() < p * WEEKLY[t % 7] ? 1 + poisson(size) : 0);
  } else {
    const p = 0.03 + 0.2 * u();
    const size = 5 + 25 * u();
    for (let t = 0; t < days; t++) values.push(u() < p ? 1 + Math.floor(-size * Math.log(1 - u())) : 0);
  }
  const mean = values.reduce((s, v) => s + v, 0) / days;
  return {
    sku: `SKU-${String(i).padStart(5, '0')}`,
    kind,
    values,
    leadTimeDays: 2 + Math.floor(13 * u()),
    leadTimeSdDays: u() < 0.5 ? 0 : 1 + Math.floor(3 * u()),
    unitCost: Math.round(100 * (0.5 + 30 * u())) / 100,
    packSize: [1, 1, 6, 12, 24][Math.floor(5 * u())],
    onHand: Math.round(mean * 14 * u()),
  };
}
