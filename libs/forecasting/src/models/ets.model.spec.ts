import { mae } from '../evaluation/accuracy.metrics';
import { AIR_PASSENGERS_TEST, AIR_PASSENGERS_TRAIN } from '../testing/air-passengers.fixture';
import { simulateAdditiveEts } from '../testing/simulation.fixture';
import {
  autoEtsModel,
  etsCandidateSpecs,
  etsForecastAt,
  etsMinus2LogLik,
  etsSupports,
  fitEts,
  fitEtsFamily,
} from './ets.model';

describe(fitEts.name, () => {
  it('recovers α of simulated simple exponential smoothing', () => {
    const y = simulateAdditiveEts({ n: 800, alpha: 0.3, level0: 50, sigma: 2, seed: 11 });
    const fit = fitEts(y, { error: 'A', trend: 'N', season: 'N' }, 1);
    expect(fit.params.alpha).toBeGreaterThan(0.22);
    expect(fit.params.alpha).toBeLessThan(0.38);
    expect(Math.sqrt(fit.sigma2)).toBeCloseTo(2, 0);
  });

  it("recovers α and β of Holt's linear trend", () => {
    const y = simulateAdditiveEts({ n: 1000, alpha: 0.5, beta: 0.1, level0: 100, trend0: 0.5, sigma: 1, seed: 5 });
    const fit = fitEts(y, { error: 'A', trend: 'A', season: 'N' }, 1);
    expect(fit.params.alpha).toBeGreaterThan(0.4);
    expect(fit.params.alpha).toBeLessThan(0.6);
    expect(fit.params.beta).toBeGreaterThan(0.05);
    expect(fit.params.beta).toBeLessThan(0.16);
  });

  it('recovers α and γ and the seasonal shape of additive seasonality', () => {
    const season0 = [5, -3, -3, -2, 0, 8, -5];
    const y = simulateAdditiveEts({ n: 900, alpha: 0.2, gamma: 0.1, level0: 40, season0, sigma: 1, seed: 8 });
    const fit = fitEts(y, { error: 'A', trend: 'N', season: 'A' }, 7);
    expect(fit.params.alpha).toBeGreaterThan(0.13);
    expect(fit.params.alpha).toBeLessThan(0.27);
    expect(fit.params.gamma).toBeGreaterThan(0.05);
    expect(fit.params.gamma).toBeLessThan(0.16);
  });

  it('keeps the usual admissible bounds', () => {
    const y = simulateAdditiveEts({ n: 300, alpha: 0.9, beta: 0.5, level0: 10, trend0: 1, sigma: 3, seed: 3 });
    const fit = fitEts(y, { error: 'A', trend: 'Ad', season: 'N' }, 1);
    expect(fit.params.alpha).toBeLessThanOrEqual(0.9999);
    expect(fit.params.beta).toBeLessThanOrEqual(fit.params.alpha);
    expect(fit.params.phi).toBeGreaterThanOrEqual(0.8);
    expect(fit.params.phi).toBeLessThanOrEqual(0.98);
  });

  it('uses fixed parameters when given', () => {
    const fit = fitEts([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], { error: 'A', trend: 'N', season: 'N' }, 1, {
      fixed: { alpha: 1 },
    });
    expect(fit.params.alpha).toBe(1);
    expect(fit.final.level).toBeCloseTo(12, 8);
  });
});

describe(etsForecastAt.name, () => {
  it('only uses data before the origin', () => {
    const y = simulateAdditiveEts({ n: 120, alpha: 0.3, level0: 20, sigma: 1, seed: 2 });
    const fit = fitEts(y, { error: 'A', trend: 'Ad', season: 'N' }, 1);
    const changed = [...y.slice(0, 100), ...y.slice(100).map((v) => v * 10)];
    expect(Array.from(etsForecastAt(fit, changed, [100], 5)[0])).toEqual(
      Array.from(etsForecastAt(fit, y, [100], 5)[0]),
    );
    expect(etsForecastAt(fit, changed, [101], 1)[0][0]).not.toBeCloseTo(etsForecastAt(fit, y, [101], 1)[0][0], 3);
  });
});

describe('autoEtsModel', () => {
  it('selects a multiplicative-season model for AirPassengers and beats seasonal naive by far', () => {
    const fit = autoEtsModel.fit(AIR_PASSENGERS_TRAIN, { period: 12 });
    expect(fit.label).toMatch(/^ETS\(M,A[d]?,M\)$/);
    expect(mae(AIR_PASSENGERS_TEST, fit.forecast(12))).toBeLessThan(20);
  });

  it('chooses by AICc among the admissible specifications', () => {
    const fits = fitEtsFamily(AIR_PASSENGERS_TRAIN, 12);
    expect(fits.length).toBe(15);
    for (let i = 1; i < fits.length; i++) expect(fits[i].aicc).toBeGreaterThanOrEqual(fits[i - 1].aicc);
  });

  it('finds seasonality in a simulated seasonal series', () => {
    const y = simulateAdditiveEts({
      n: 400,
      alpha: 0.1,
      gamma: 0.05,
      level0: 40,
      season0: [6, -3, -3, -2, 0, 7, -5],
      sigma: 1,
      seed: 4,
    });
    expect(autoEtsModel.fit(y, { period: 7 }).label).toMatch(/,A\)$/);
  });
});

describe(etsSupports.name, () => {
  it('refuses multiplicative models on data with zeros and seasonal models on periods above 24', () => {
    const y = Array.from({ length: 200 }, (_, t) => t % 5);
    expect(etsSupports({ error: 'M', trend: 'N', season: 'N' }, y, 1)).toBe(false);
    expect(etsSupports({ error: 'A', trend: 'N', season: 'A' }, y, 52)).toBe(false);
    expect(etsSupports({ error: 'A', trend: 'N', season: 'A' }, y, 7)).toBe(true);
  });
});

describe(etsMinus2LogLik.name, () => {
  it('matches the full recursion to the bit for every specification (the optimiser uses the fast loop)', () => {
    const season0 = [5, -3, -3, -2, 0, 8, -5];
    const y = simulateAdditiveEts({
      n: 400,
      alpha: 0.2,
      beta: 0.02,
      gamma: 0.1,
      level0: 60,
      trend0: 0.05,
      season0,
      sigma: 2,
      seed: 4,
    });
    let checked = 0;
    for (const spec of etsCandidateSpecs()) {
      if (!etsSupports(spec, y, 7)) continue;
      // fit.lik comes from the full recursion at the fitted parameters and initial states.
      const fit = fitEts(y, spec, 7);
      expect(etsMinus2LogLik(y, spec, 7, fit.params, fit)).toBe(fit.lik);
      checked++;
    }
    expect(checked).toBe(15);
  });

  it('is infinite when a multiplicative-error forecast is not positive', () => {
    const y = [5, 4, 6, 5, 4, 5, 4, 6, 5, 4, 6, 5, 4];
    const params = { alpha: 0.5, beta: 0.1, gamma: 0, phi: 1 };
    const init = { level0: 5, trend0: -10, season0: new Float64Array([1]) };
    expect(etsMinus2LogLik(y, { error: 'M', trend: 'A', season: 'N' }, 1, params, init)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isFinite(etsMinus2LogLik(y, { error: 'A', trend: 'A', season: 'N' }, 1, params, init))).toBe(true);
  });
});
