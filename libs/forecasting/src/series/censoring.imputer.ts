/**
 * Censored demand. On a stock-out day the sales are only a lower bound of demand; reading them as true zeros
 * drags forecasts (and so the next orders) down — the classic death spiral of slow movers.
 *
 * Choice: censored periods are IMPUTED for model fitting, and EXCLUDED from every error measure (backtest scores,
 * interval calibration, classification). Imputation rather than deletion because the recursive models (ETS, Croston,
 * seasonal ones) need a regular time grid; deleting days would shift the weekday pattern.
 *
 * The imputed value is the mean of up to four earlier uncensored values at the same seasonal position (same weekday
 * for daily data), else of up to 4·m earlier uncensored values, else of any uncensored value; the observed sales are
 * kept when they are higher. Only earlier values are used, so imputation never leaks future data into a backtest.
 */
export function imputeCensored(
  values: ArrayLike<number>,
  censored: ArrayLike<boolean> | undefined,
  period: number,
): { values: Float64Array; imputed: number } {
  const n = values.length;
  const out = Float64Array.from(values as ArrayLike<number>);
  if (!censored) return { values: out, imputed: 0 };
  let imputed = 0;
  let anyUncensored = 0;
  let anySum = 0;
  for (let t = 0; t < n; t++) {
    if (!censored[t]) {
      anyUncensored++;
      anySum += values[t];
    }
  }
  const m = Math.max(1, period);
  for (let t = 0; t < n; t++) {
    if (!censored[t]) continue;
    let s = 0;
    let c = 0;
    for (let u = t - m; u >= 0 && c < 4; u -= m) {
      if (!censored[u]) {
        s += values[u];
        c++;
      }
    }
    if (c === 0) {
      for (let u = t - 1; u >= 0 && c < 4 * m; u--) {
        if (!censored[u]) {
          s += values[u];
          c++;
        }
      }
    }
    const estimate = c > 0 ? s / c : anyUncensored > 0 ? anySum / anyUncensored : values[t];
    out[t] = Math.max(values[t], estimate);
    imputed++;
  }
  return { values: out, imputed };
}

/** Actual values with censored periods replaced by NaN, the convention every metric uses for "not observed". */
export function maskCensored(values: ArrayLike<number>, censored: ArrayLike<boolean> | undefined): Float64Array {
  const out = Float64Array.from(values as ArrayLike<number>);
  if (censored) for (let t = 0; t < out.length; t++) if (censored[t]) out[t] = Number.NaN;
  return out;
}
