export type DecompositionType = 'additive' | 'multiplicative';

/**
 * Classical decomposition (R's `decompose`): centred moving average of order m (2×m when m is even) as the trend,
 * then the average detrended value per seasonal position, normalised to sum 0 (additive) or average 1
 * (multiplicative). Returns the m seasonal indices by position t mod m (t = 0 is the first observation).
 */
export function seasonalIndices(y: ArrayLike<number>, m: number, type: DecompositionType): Float64Array {
  const n = y.length;
  const indices = new Float64Array(m).fill(type === 'additive' ? 0 : 1);
  if (m < 2 || n < 2 * m) return indices;
  const half = Math.floor(m / 2);
  const sums = new Float64Array(m);
  const counts = new Float64Array(m);
  for (let t = half; t < n - half; t++) {
    let trend: number;
    if (m % 2 === 1) {
      let s = 0;
      for (let k = -half; k <= half; k++) s += y[t + k];
      trend = s / m;
    } else {
      let s = 0.5 * y[t - half] + 0.5 * y[t + half];
      for (let k = -half + 1; k < half; k++) s += y[t + k];
      trend = s / m;
    }
    let detrended: number;
    if (type === 'additive') detrended = y[t] - trend;
    else if (trend > 0) detrended = y[t] / trend;
    else continue;
    sums[t % m] += detrended;
    counts[t % m]++;
  }
  for (let j = 0; j < m; j++) indices[j] = counts[j] > 0 ? sums[j] / counts[j] : type === 'additive' ? 0 : 1;
  if (type === 'additive') {
    const avg = indices.reduce((a, b) => a + b, 0) / m;
    for (let j = 0; j < m; j++) indices[j] -= avg;
  } else {
    const avg = indices.reduce((a, b) => a + b, 0) / m;
    for (let j = 0; j < m; j++) indices[j] = avg > 0 ? indices[j] / avg : 1;
  }
  return indices;
}

/** Sample autocorrelation at lags 1..maxLag. */
export function autocorrelation(y: ArrayLike<number>, maxLag: number): Float64Array {
  const n = y.length;
  let mu = 0;
  for (let t = 0; t < n; t++) mu += y[t];
  mu /= n;
  let c0 = 0;
  for (let t = 0; t < n; t++) c0 += (y[t] - mu) * (y[t] - mu);
  const r = new Float64Array(maxLag);
  if (c0 === 0) return r;
  for (let k = 1; k <= maxLag; k++) {
    let c = 0;
    for (let t = k; t < n; t++) c += (y[t] - mu) * (y[t - k] - mu);
    r[k - 1] = c / c0;
  }
  return r;
}

/**
 * Seasonality test of the Theta method (Assimakopoulos & Nikolopoulos 2000; R `forecast::thetaf`, statsforecast):
 * seasonal when |r_m| > z₀.₉₅ · √((1 + 2 Σ_{k<m} r_k²) / n), the 90% two-sided Bartlett limit for the ACF at lag m.
 */
export function isSeasonal(y: ArrayLike<number>, m: number): boolean {
  const n = y.length;
  if (m < 2 || n <= 2 * m) return false;
  const r = autocorrelation(y, m);
  let s = 1;
  for (let k = 0; k < m - 1; k++) s += 2 * r[k] * r[k];
  return Math.abs(r[m - 1]) > (1.6448536269514722 * Math.sqrt(s)) / Math.sqrt(n);
}
