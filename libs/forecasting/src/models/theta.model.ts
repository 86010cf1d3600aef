import { linearTrend } from '../math/stats.util';
import { isSeasonal, seasonalIndices } from '../series/decomposition';
import { etsForecastAt, fitEts } from './ets.model';
import { FitContext, FittedModel, ForecastModel } from './model.types';

/**
 * Standard Theta method (Assimakopoulos & Nikolopoulos 2000), in the form shown by Hyndman & Billah (2003) to be
 * SES with drift: ŷ(h) = SES(h) + (b/2)·((h − 1) + (1 − (1 − α)ⁿ)/α), where b is the OLS slope of the series.
 * When the lag-m autocorrelation test says the series is seasonal, it is first adjusted by classical
 * multiplicative decomposition (additive if the data has zeros) and re-seasonalised afterwards, like R's `thetaf`.
 */
export const thetaModel: ForecastModel = {
  name: 'theta',
  supports: (y) => y.length >= 4,
  fit(y: ArrayLike<number>, context: FitContext): FittedModel {
    const n = y.length;
    const m = context.period;
    let positive = true;
    for (let t = 0; t < n; t++) if (!(y[t] > 0)) positive = false;
    const seasonal = m > 1 && isSeasonal(y, m);
    const type = positive ? 'multiplicative' : 'additive';
    const index = seasonal ? seasonalIndices(y, m, type) : undefined;
    const adjust = (series: ArrayLike<number>): Float64Array => {
      const x = Float64Array.from(series as ArrayLike<number>);
      if (index)
        for (let t = 0; t < x.length; t++) x[t] = type === 'multiplicative' ? x[t] / index[t % m] : x[t] - index[t % m];
      return x;
    };
    const x = adjust(y);
    const ses = fitEts(x, { error: 'A', trend: 'N', season: 'N' }, 1);
    const alpha = ses.params.alpha;
    const slope = linearTrend(x).slope;
    const finish = (base: Float64Array, o: number): Float64Array => {
      const h = base.length;
      const out = new Float64Array(h);
      const tail = (1 - Math.pow(1 - alpha, o)) / alpha;
      for (let j = 0; j < h; j++) {
        let v = base[j] + (slope / 2) * (j + tail);
        if (index) v = type === 'multiplicative' ? v * index[(o + j) % m] : v + index[(o + j) % m];
        out[j] = v;
      }
      return out;
    };
    return {
      name: 'theta',
      label: seasonal ? `Theta(seasonal ${type === 'multiplicative' ? 'mult' : 'add'}, ${m})` : 'Theta',
      params: { alpha, drift: slope / 2, seasonal: seasonal ? 1 : 0 },
      n,
      forecast: (h) => finish(etsForecastAt(ses, x, [n], h)[0], n),
      forecastAt: (series, origins, h) => {
        const xs = adjust(series);
        return etsForecastAt(ses, xs, origins, h).map((f, i) => finish(f, origins[i]));
      },
    };
  },
};
