import { goldenSection, nelderMead } from './nelder-mead.optimizer';

describe(nelderMead.name, () => {
  it('finds the minimum of the Rosenbrock function', () => {
    const rosen = (x: number[]) => 100 * (x[1] - x[0] * x[0]) ** 2 + (1 - x[0]) ** 2;
    const r = nelderMead(rosen, [-1.2, 1], { maxEvaluations: 5000, tolerance: 1e-14 });
    expect(r.x[0]).toBeCloseTo(1, 3);
    expect(r.x[1]).toBeCloseTo(1, 3);
  });

  it('keeps every point inside the box', () => {
    const seen: number[][] = [];
    const r = nelderMead(
      (x) => {
        seen.push([...x]);
        return (x[0] - 5) ** 2 + (x[1] + 5) ** 2;
      },
      [0.5, 0.5],
      { lower: [0, 0], upper: [1, 1] },
    );
    expect(seen.every(([a, b]) => a >= 0 && a <= 1 && b >= 0 && b <= 1)).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(0, 6);
  });
});

describe(goldenSection.name, () => {
  it('finds the minimum of a parabola', () => {
    expect(goldenSection((x) => (x - 0.237) ** 2, 0, 1, 1e-8).x).toBeCloseTo(0.237, 6);
  });
});
