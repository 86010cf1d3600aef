import { mae, mape } from '../evaluation/accuracy.metrics';
import { AIR_PASSENGERS_TEST, AIR_PASSENGERS_TRAIN } from '../testing/air-passengers.fixture';
import { movingAverageModel } from './moving-average.model';
import { naiveModel, seasonalNaiveModel, zeroModel } from './naive.model';

describe('seasonalNaiveModel', () => {
  it('reproduces the published AirPassengers 1960 accuracy: MAE 47.83, MAPE 9.99%', () => {
    const f = seasonalNaiveModel.fit(AIR_PASSENGERS_TRAIN, { period: 12 }).forecast(12);
    expect(Array.from(f)).toEqual(AIR_PASSENGERS_TRAIN.slice(120, 132));
    expect(mae(AIR_PASSENGERS_TEST, f)).toBeCloseTo(47.83, 2);
    expect(mape(AIR_PASSENGERS_TEST, f)).toBeCloseTo(9.99, 2);
  });

  it('repeats the last cycle for horizons longer than a period and forecasts from any origin', () => {
    const y = [1, 2, 3, 4, 5, 6];
    const fit = seasonalNaiveModel.fit(y, { period: 3 });
    expect(Array.from(fit.forecast(5))).toEqual([4, 5, 6, 4, 5]);
    expect(Array.from(fit.forecastAt(y, [4], 2)[0])).toEqual([2, 3]);
  });
});

describe('naiveModel', () => {
  it('carries the last value forward', () => {
    expect(Array.from(naiveModel.fit([3, 9, 4], { period: 1 }).forecast(3))).toEqual([4, 4, 4]);
  });
});

describe('movingAverageModel', () => {
  it('averages the last k observations', () => {
    const fit = movingAverageModel({ window: 3 }).fit([1, 2, 3, 4, 5, 9], { period: 1 });
    expect(fit.forecast(2)[0]).toBeCloseTo(6, 12);
    expect(fit.forecastAt([1, 2, 3, 4, 5, 9], [3], 1)[0][0]).toBeCloseTo(2, 12);
  });

  it('picks whole-cycle windows by in-sample error', () => {
    const y = Array.from({ length: 70 }, (_, t) => [10, 10, 10, 10, 10, 30, 0][t % 7]);
    const fit = movingAverageModel().fit(y, { period: 7 });
    expect([7, 14, 28]).toContain(fit.params.window);
    expect(fit.forecast(1)[0]).toBeCloseTo(80 / 7, 10);
  });
});

describe('zeroModel', () => {
  it('forecasts zero', () => {
    expect(Array.from(zeroModel.fit([0, 0], { period: 1 }).forecast(2))).toEqual([0, 0]);
  });
});
