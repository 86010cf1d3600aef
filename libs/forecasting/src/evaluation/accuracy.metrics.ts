/**
 * Forecast accuracy measures. NaN actuals (censored or missing periods) are skipped by every measure.
 * Conventions: errors are forecast − actual, so a positive bias means over-forecasting.
 */

type Values = ArrayLike<number>;

function pairs(
  actual: Values,
  forecast: Values,
  fn: (a: number, f: number) => number,
): { total: number; count: number } {
  let total = 0;
  let count = 0;
  const n = Math.min(actual.length, forecast.length);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(actual[i]) || !Number.isFinite(forecast[i])) continue;
    total += fn(actual[i], forecast[i]);
    count++;
  }
  return { total, count };
}

const avg = (r: { total: number; count: number }): number => (r.count > 0 ? r.total / r.count : Number.NaN);

export function mae(actual: Values, forecast: Values): number {
  return avg(pairs(actual, forecast, (a, f) => Math.abs(f - a)));
}

export function rmse(actual: Values, forecast: Values): number {
  return Math.sqrt(avg(pairs(actual, forecast, (a, f) => (f - a) * (f - a))));
}

/** Mean absolute percentage error in %, over periods with non-zero actuals (undefined at zero). */
export function mape(actual: Values, forecast: Values): number {
  let total = 0;
  let count = 0;
  for (let i = 0; i < Math.min(actual.length, forecast.length); i++) {
    if (!Number.isFinite(actual[i]) || actual[i] === 0) continue;
    total += Math.abs((forecast[i] - actual[i]) / actual[i]);
    count++;
  }
  return count > 0 ? (100 * total) / count : Number.NaN;
}

/** Symmetric MAPE in % (0–200), |f − a| / ((|a| + |f|)/2); a period where both are zero counts as 0. */
export function smape(actual: Values, forecast: Values): number {
  return (
    100 *
    avg(
      pairs(actual, forecast, (a, f) => {
        const d = Math.abs(a) + Math.abs(f);
        return d === 0 ? 0 : (2 * Math.abs(f - a)) / d;
      }),
    )
  );
}

/** Mean error (forecast − actual). */
export function bias(actual: Values, forecast: Values): number {
  return avg(pairs(actual, forecast, (a, f) => f - a));
}

/**
 * In-sample MAE of the seasonal naive forecast, the MASE denominator (Hyndman & Koehler 2006). Falls back to the
 * lag-1 naive when the series is shorter than two seasons or the seasonal scale is zero.
 */
export function seasonalNaiveScale(train: Values, period: number): number {
  const lagMae = (m: number): number => {
    let s = 0;
    let c = 0;
    for (let t = m; t < train.length; t++) {
      if (!Number.isFinite(train[t]) || !Number.isFinite(train[t - m])) continue;
      s += Math.abs(train[t] - train[t - m]);
      c++;
    }
    return c > 0 ? s / c : Number.NaN;
  };
  const m = Math.max(1, period);
  const seasonal = train.length > m ? lagMae(m) : Number.NaN;
  if (seasonal > 0) return seasonal;
  const lag1 = lagMae(1);
  return lag1 > 0 ? lag1 : Number.NaN;
}

/** Mean absolute scaled error: MAE / scale (scale from `seasonalNaiveScale`). */
export function mase(actual: Values, forecast: Values, scale: number): number {
  return mae(actual, forecast) / scale;
}

/** Share of actuals inside [lower, upper]. */
export function coverage(actual: Values, lower: Values, upper: Values): number {
  let inside = 0;
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    if (!Number.isFinite(actual[i])) continue;
    count++;
    if (actual[i] >= lower[i] && actual[i] <= upper[i]) inside++;
  }
  return count > 0 ? inside / count : Number.NaN;
}

/** Pinball (quantile) loss at level τ: mean of τ·(a − q) when a ≥ q, else (1 − τ)·(q − a). */
export function pinballLoss(actual: Values, quantile: Values, level: number): number {
  return avg(pairs(actual, quantile, (a, q) => (a >= q ? level * (a - q) : (1 - level) * (q - a))));
}
