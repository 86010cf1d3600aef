import { bias, coverage, mae, mape, mase, pinballLoss, rmse, seasonalNaiveScale, smape } from './accuracy.metrics';

const actual = [10, 0, 5, Number.NaN];
const forecast = [12, 1, 5, 100];

describe('accuracy metrics', () => {
  it('compute MAE, RMSE, bias over observed periods only', () => {
    expect(mae(actual, forecast)).toBeCloseTo(1, 12);
    expect(rmse(actual, forecast)).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(bias(actual, forecast)).toBeCloseTo(1, 12); // over-forecast by 1 on average
  });

  it('skip zero actuals in MAPE and treat 0/0 as 0 in sMAPE', () => {
    expect(mape(actual, forecast)).toBeCloseTo(10, 12); // |2/10| and 0 → 10%
    expect(smape([10, 0], [12, 0])).toBeCloseTo((100 * (2 * 2)) / 22 / 2, 10);
  });

  it('scale MASE by the in-sample seasonal naive MAE', () => {
    const train = [1, 2, 3, 2, 3, 4];
    expect(seasonalNaiveScale(train, 3)).toBeCloseTo(1, 12);
    expect(seasonalNaiveScale(train, 1)).toBeCloseTo(1, 12);
    expect(mase([5, 6], [4, 8], 1.5)).toBeCloseTo(1, 12);
  });

  it('fall back to lag-1 scaling when the seasonal naive is perfect', () => {
    expect(seasonalNaiveScale([1, 2, 1, 2, 1, 2], 2)).toBeCloseTo(1, 12);
  });

  it('measure interval coverage and pinball loss', () => {
    expect(coverage([1, 5, 9, Number.NaN], [0, 6, 8, 0], [2, 7, 10, 0])).toBeCloseTo(2 / 3, 12);
    expect(pinballLoss([10, 10], [8, 12], 0.9)).toBeCloseTo((0.9 * 2 + 0.1 * 2) / 2, 12);
  });
});
