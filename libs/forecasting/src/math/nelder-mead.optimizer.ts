export interface NelderMeadOptions {
  /** Lower and upper bounds per coordinate; trial points are projected onto the box. */
  lower?: readonly number[];
  upper?: readonly number[];
  /** Initial simplex step per coordinate (default: 10% of the box width, or 10% of |x0| + 0.1 when unbounded). */
  step?: readonly number[];
  maxEvaluations?: number;
  /** Stop when the objective spread over the simplex falls below tolerance · (|f_best| + 1e-10). */
  tolerance?: number;
}

export interface NelderMeadResult {
  x: number[];
  value: number;
  evaluations: number;
}

/**
 * Derivative-free minimisation (Nelder & Mead 1965, standard coefficients 1, 2, ½, ½) with box constraints by
 * projection. The ETS likelihood is not smooth near admissibility bounds, which is why R's `ets()` and
 * statsforecast also use Nelder-Mead rather than a gradient method.
 */
export function nelderMead(
  f: (x: number[]) => number,
  x0: readonly number[],
  options: NelderMeadOptions = {},
): NelderMeadResult {
  const n = x0.length;
  const lower = options.lower ?? new Array<number>(n).fill(Number.NEGATIVE_INFINITY);
  const upper = options.upper ?? new Array<number>(n).fill(Number.POSITIVE_INFINITY);
  const maxEval = options.maxEvaluations ?? 200 * n;
  const tol = options.tolerance ?? 1e-8;
  const clamp = (x: number[]): number[] => {
    for (let i = 0; i < n; i++) x[i] = Math.min(upper[i], Math.max(lower[i], x[i]));
    return x;
  };
  let evaluations = 0;
  const evaluate = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };

  const simplex: number[][] = [clamp([...x0])];
  for (let i = 0; i < n; i++) {
    const width = upper[i] - lower[i];
    const step = options.step?.[i] ?? (Number.isFinite(width) ? 0.1 * width : 0.1 * Math.abs(x0[i]) + 0.1);
    const p = [...simplex[0]];
    p[i] += step;
    if (p[i] > upper[i]) p[i] = simplex[0][i] - step;
    simplex.push(clamp(p));
  }
  const values = simplex.map(evaluate);
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Array<number>(n);
  const trial = (base: number[], towards: number[], coef: number): number[] => {
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = base[i] + coef * (towards[i] - base[i]);
    return clamp(out);
  };

  while (evaluations < maxEval) {
    order.sort((a, b) => values[a] - values[b]);
    const best = order[0];
    const worst = order[n];
    const secondWorst = order[n - 1];
    if (Math.abs(values[worst] - values[best]) <= tol * (Math.abs(values[best]) + 1e-10)) break;

    centroid.fill(0);
    for (let k = 0; k < n; k++) {
      const p = simplex[order[k]];
      for (let i = 0; i < n; i++) centroid[i] += p[i] / n;
    }
    // Reflection: centroid + (centroid − worst).
    const xr = trial(centroid, simplex[worst], -1);
    const fr = evaluate(xr);
    if (fr < values[best]) {
      const xe = trial(centroid, simplex[worst], -2);
      const fe = evaluate(xe);
      if (fe < fr) {
        simplex[worst] = xe;
        values[worst] = fe;
      } else {
        simplex[worst] = xr;
        values[worst] = fr;
      }
      continue;
    }
    if (fr < values[secondWorst]) {
      simplex[worst] = xr;
      values[worst] = fr;
      continue;
    }
    // Contraction (outside when the reflection helped a little, inside otherwise).
    const outside = fr < values[worst];
    const xc = outside ? trial(centroid, xr, 0.5) : trial(centroid, simplex[worst], 0.5);
    const fc = evaluate(xc);
    if (fc < (outside ? fr : values[worst])) {
      simplex[worst] = xc;
      values[worst] = fc;
      continue;
    }
    // Shrink towards the best point.
    for (let k = 1; k <= n; k++) {
      const idx = order[k];
      simplex[idx] = trial(simplex[best], simplex[idx], 0.5);
      values[idx] = evaluate(simplex[idx]);
    }
  }
  let bestIdx = 0;
  for (let k = 1; k <= n; k++) if (values[k] < values[bestIdx]) bestIdx = k;
  return { x: simplex[bestIdx], value: values[bestIdx], evaluations };
}

/** Golden-section search for a unimodal function of one variable on [lo, hi]. */
export function goldenSection(
  f: (x: number) => number,
  lo: number,
  hi: number,
  tolerance = 1e-5,
): { x: number; value: number } {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tolerance) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  const x = (a + b) / 2;
  return { x, value: f(x) };
}
