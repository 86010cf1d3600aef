import { compoundCumulativeQuantiles, ordersPerDayFor, withHeavierTail } from './compound.demand';

describe(compoundCumulativeQuantiles.name, () => {
  const levels = [0.1, 0.5, 0.9, 0.99];

  it('keeps the mean of orders per day × mean order size, and the order sizes in the tail', () => {
    // Nine small orders for every large one: mean size (9·2 + 100) / 10 = 11.8.
    const sizes = [2, 2, 2, 2, 2, 2, 2, 2, 2, 100];
    const lambda = ordersPerDayFor(5.9, sizes);
    expect(lambda).toBeCloseTo(0.5, 12);
    const q = compoundCumulativeQuantiles({
      orderSizes: sizes,
      ordersPerDay: lambda,
      horizon: 8,
      levels,
      paths: 20000,
    })!;
    expect(q.values).toHaveLength(8);
    expect(q.stepDays).toBe(1);
    // Over 8 days (4 orders on average) a large order comes with probability 1 − e^(−0.4) ≈ 33%: the 90% quantile
    // includes one, the median does not.
    expect(q.values[7][1]).toBeLessThan(20);
    expect(q.values[7][2]).toBeGreaterThanOrEqual(100);
    // Quantiles rise with the level and with the horizon.
    for (const row of q.values) for (let i = 1; i < row.length; i++) expect(row[i]).toBeGreaterThanOrEqual(row[i - 1]);
    for (let h = 1; h < 8; h++) expect(q.values[h][2]).toBeGreaterThanOrEqual(q.values[h - 1][2]);
  });

  it('widens with clustered orders (negative binomial counts) and is reproducible', () => {
    const base = { orderSizes: [1, 2, 3, 4], ordersPerDay: 4, horizon: 7, levels, paths: 20000 };
    const poisson = compoundCumulativeQuantiles(base)!;
    const clustered = compoundCumulativeQuantiles({ ...base, countDispersion: 4 })!;
    expect(clustered.values[6][3]).toBeGreaterThan(poisson.values[6][3]);
    expect(clustered.values[6][0]).toBeLessThan(poisson.values[6][0]);
    expect(compoundCumulativeQuantiles(base)).toEqual(poisson);
  });

  it('draws a share of orders from larger sizes the item has not had, keeping the mean through orders per day', () => {
    const own = [2, 3, 4];
    const largeOrders = { sizes: [30, 60], share: 0.1 };
    // Mean size 0.9·3 + 0.1·45 = 7.2.
    expect(ordersPerDayFor(7.2, own, largeOrders)).toBeCloseTo(1, 12);
    const common = { orderSizes: own, horizon: 8, levels, paths: 20000 };
    const plain = compoundCumulativeQuantiles({ ...common, ordersPerDay: ordersPerDayFor(7.2, own) })!;
    const heavy = compoundCumulativeQuantiles({ ...common, ordersPerDay: 1, largeOrders })!;
    // Same mean (57.6 over 8 days), far heavier tail: 8 orders carry a large one with probability 1 − 0.9⁸ ≈ 57%.
    expect(heavy.values[7][3]).toBeGreaterThan(plain.values[7][3] + 30);
    expect(heavy.values[7][1]).toBeGreaterThanOrEqual(30);
    expect(heavy.values[7][0]).toBeLessThan(plain.values[7][0]);
  });

  it('has no table without past orders or expected orders', () => {
    expect(compoundCumulativeQuantiles({ orderSizes: [], ordersPerDay: 1, horizon: 3, levels })).toBeUndefined();
    expect(compoundCumulativeQuantiles({ orderSizes: [0, -2], ordersPerDay: 1, horizon: 3, levels })).toBeUndefined();
    expect(compoundCumulativeQuantiles({ orderSizes: [3], ordersPerDay: 0, horizon: 3, levels })).toBeUndefined();
    expect(ordersPerDayFor(3, [])).toBe(0);
  });
});

describe(withHeavierTail.name, () => {
  it('takes the larger tail from the level on and keeps the body', () => {
    const forecast = { levels: [0.5, 0.9, 0.99], values: [[5, 8, 10]], stepDays: 1 };
    const tail = { levels: [0.5, 0.9, 0.99], values: [[7, 6, 40]], stepDays: 1 };
    expect(withHeavierTail(forecast, tail, 0.9).values).toEqual([[5, 8, 40]]);
    expect(withHeavierTail(forecast, tail, 0.5).values).toEqual([[7, 8, 40]]);
    expect(() => withHeavierTail(forecast, { ...tail, levels: [0.5, 0.95, 0.99] })).toThrow(RangeError);
  });
});
