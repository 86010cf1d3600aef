import {
  driftMeasures,
  DriftWindow,
  jensenShannonDistance,
  normalise,
  popularityReference,
  populationStabilityIndex,
} from './input-drift';

describe('input drift', () => {
  describe(popularityReference.name, () => {
    it('buckets items by cumulative interaction mass, most popular first', () => {
      // Sorted: i0 (60, before 0 %) → 0; i1 (30, before 60 %) → 1; i2 (10, before 90 %) → 1; i3 (0) → 1.
      const ref = popularityReference([60, 30, 10, 0], 2);
      expect([...ref.bucketOf]).toEqual([0, 1, 1, 1]);
      expect([...ref.expected]).toEqual([0.6, 0.4, 0]);
      expect(ref.unseen).toBe(2);
    });

    it('spreads a flat catalogue evenly over ten deciles, whatever the index order', () => {
      const counts = Array.from({ length: 100 }, () => 5);
      const ref = popularityReference(counts);
      expect(ref.expected).toHaveLength(11);
      for (let b = 0; b < 10; b++) expect(ref.expected[b]).toBeCloseTo(0.1, 12);
      expect(ref.expected[10]).toBe(0);
      expect(ref.bucketOf[0]).toBe(0);
      expect(ref.bucketOf[99]).toBe(9);
    });

    it('lets a dominant head item take its share and leaves the buckets it spans empty', () => {
      const ref = popularityReference([10, 10, 10, 30, 10, 10, 10, 10]); // total 100, item 3 holds 30 %
      expect(ref.bucketOf[3]).toBe(0);
      // The next items start at 30 %, 40 %, … of the mass: buckets 3 to 9; buckets 1 and 2 stay empty.
      expect([...ref.bucketOf]).toEqual([3, 4, 5, 0, 6, 7, 8, 9]);
      expect([...ref.expected].map((x) => Math.round(x * 100) / 100)).toEqual([
        0.3, 0, 0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0,
      ]);
    });
  });

  describe(populationStabilityIndex.name, () => {
    it('is 0 for equal shares and matches the formula on a known pair', () => {
      expect(populationStabilityIndex([0.25, 0.75], [0.25, 0.75])).toBe(0);
      // (0.5 − 0.9)·ln(0.5/0.9) + (0.5 − 0.1)·ln(0.5/0.1)
      expect(populationStabilityIndex([0.9, 0.1], [0.5, 0.5])).toBeCloseTo(0.8788898309, 9);
    });

    it('floors empty shares at epsilon instead of going infinite', () => {
      // expected [0.5, 0.5, 0] vs actual [0.4, 0.4, 0.2], the empty expected share taken as 1e-4
      expect(populationStabilityIndex([0.5, 0.5, 0], [0.4, 0.4, 0.2])).toBeCloseTo(1.5640491119, 9);
    });
  });

  describe(jensenShannonDistance.name, () => {
    it('is 0 for equal distributions, 1 for disjoint ones, symmetric, and matches a known pair', () => {
      expect(jensenShannonDistance([0.2, 0.8], [0.2, 0.8])).toBe(0);
      expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(1, 12);
      expect(jensenShannonDistance([0.5, 0.5], [0.9, 0.1])).toBeCloseTo(0.3831358799, 9);
      expect(jensenShannonDistance([0.9, 0.1], [0.5, 0.5])).toBeCloseTo(0.3831358799, 9);
      expect(jensenShannonDistance([0.5, 0.5, 0], [0.4, 0.4, 0.2])).toBeCloseTo(0.3286815269, 9);
    });

    it('refuses distributions of different lengths', () => {
      expect(() => jensenShannonDistance([1], [0.5, 0.5])).toThrow(RangeError);
    });
  });

  describe(driftMeasures.name, () => {
    it('is near zero when serving inputs follow the training popularity, and grows when they do not', () => {
      const ref = popularityReference([60, 30, 10, 0], 2); // expected [0.6, 0.4, 0]
      const same = driftMeasures(ref, [600, 400, 0]);
      expect(same).toEqual({ psi: 0, jsDistance: 0, unseenShare: 0, samples: 1000 });
      const shifted = driftMeasures(ref, [200, 600, 200]); // tail-heavy, 20 % never seen
      expect(shifted.samples).toBe(1000);
      expect(shifted.unseenShare).toBeCloseTo(0.2, 12);
      expect(shifted.psi).toBeCloseTo(
        (0.2 - 0.6) * Math.log(0.2 / 0.6) + (0.6 - 0.4) * Math.log(0.6 / 0.4) + (0.2 - 1e-4) * Math.log(0.2 / 1e-4),
        9,
      );
      expect(shifted.jsDistance).toBeGreaterThan(0.3);
      expect(normalise([0, 0])).toEqual(new Float64Array([0, 0]));
    });
  });

  describe(DriftWindow.name, () => {
    it('sums the slices inside the window and forgets the ones that fell out', () => {
      const w = new DriftWindow(3, 4, 1000); // a 4 s window of 1 s slices
      w.add(0, 0);
      w.add(1, 500, 2);
      w.add(2, 1500);
      w.add(2, 3999);
      expect([...w.totals(3999)]).toEqual([1, 2, 2]);
      // At 4 s the first slice (0–1 s) has left the window; at 5.5 s the second too.
      expect([...w.totals(4000)]).toEqual([0, 0, 2]);
      w.add(0, 5500); // reuses the slot of the 1–2 s slice, clearing it
      expect([...w.totals(5500)]).toEqual([1, 0, 1]);
      w.clear();
      expect([...w.totals(5500)]).toEqual([0, 0, 0]);
    });
  });
});
