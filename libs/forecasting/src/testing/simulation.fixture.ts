import { seededRandom } from '../math/stats.util';

/** Seeded standard normal draws (Box-Muller), for simulation-based tests. */
export function normalDraws(seed: number): () => number {
  const u = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Seeded Poisson draws (Knuth's method; fine for the small means used in tests). */
export function poissonDraws(seed: number): (mean: number) => number {
  const u = seededRandom(seed);
  return (mean: number) => {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= u();
    } while (p > limit);
    return k - 1;
  };
}

/** Simulates additive-error ETS: level, optional additive trend (damped by phi) and additive season of period m. */
export function simulateAdditiveEts(options: {
  n: number;
  alpha: number;
  beta?: number;
  gamma?: number;
  phi?: number;
  level0: number;
  trend0?: number;
  season0?: number[];
  sigma: number;
  seed: number;
}): number[] {
  const z = normalDraws(options.seed);
  const { alpha, beta = 0, gamma = 0, phi = 1, sigma } = options;
  let l = options.level0;
  let b = options.trend0 ?? 0;
  const s = [...(options.season0 ?? [0])];
  const m = s.length;
  const y: number[] = [];
  for (let t = 0; t < options.n; t++) {
    const e = sigma * z();
    const st = s[t % m];
    const yt = l + phi * b + st + e;
    y.push(yt);
    const lNew = l + phi * b + alpha * e;
    b = phi * b + beta * e;
    s[t % m] = st + gamma * e;
    l = lNew;
  }
  return y;
}
