import { AIR_PASSENGERS_TRAIN } from '../testing/air-passengers.fixture';
import { fitEts } from './ets.model';
import { thetaModel } from './theta.model';

describe('thetaModel', () => {
  it('is SES plus half the OLS slope as drift (Hyndman & Billah 2003)', () => {
    const y = Array.from({ length: 60 }, (_, t) => 10 + 0.5 * t + ((t * 7) % 5) - 2);
    const fit = thetaModel.fit(y, { period: 1 });
    const ses = fitEts(y, { error: 'A', trend: 'N', season: 'N' }, 1);
    const a = ses.params.alpha;
    // OLS slope of y on t.
    const n = y.length;
    const tMean = (n - 1) / 2;
    const yMean = y.reduce((s, v) => s + v, 0) / n;
    let sxy = 0;
    let sxx = 0;
    y.forEach((v, t) => {
      sxy += (t - tMean) * (v - yMean);
      sxx += (t - tMean) ** 2;
    });
    const b = sxy / sxx;
    const f = fit.forecast(3);
    for (let h = 1; h <= 3; h++) {
      expect(f[h - 1]).toBeCloseTo(ses.final.level + (b / 2) * (h - 1 + (1 - (1 - a) ** n) / a), 8);
    }
    expect(fit.params.seasonal).toBe(0);
  });

  it('adjusts AirPassengers for multiplicative seasonality', () => {
    const fit = thetaModel.fit(AIR_PASSENGERS_TRAIN, { period: 12 });
    expect(fit.params.seasonal).toBe(1);
    const f = fit.forecast(12);
    // July is the seasonal peak, November the trough.
    expect(f[6]).toBeGreaterThan(f[10] * 1.2);
  });
});
