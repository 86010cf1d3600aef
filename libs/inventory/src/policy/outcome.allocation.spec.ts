import { allocateByOutcomes, OutcomeItem } from './outcome.allocation';

// Two items with 100 units demanded each. "cheap" buys fill at 1 unit per £ up to 90 served, then at 0.1;
// "dear" buys it at 0.2 per £ throughout. Its 40-unit option is dominated (more cost, less served than 50).
const items: OutcomeItem[] = [
  {
    id: 'cheap',
    demand: 100,
    options: [
      { setting: 0.5, served: 50, cost: 0 },
      { setting: 0.9, served: 90, cost: 40 },
      { setting: 0.99, served: 100, cost: 140 },
    ],
  },
  {
    id: 'dear',
    demand: 100,
    options: [
      { setting: 0.5, served: 50, cost: 0 },
      { setting: 0.7, served: 40, cost: 100 },
      { setting: 0.9, served: 90, cost: 200 },
      { setting: 0.99, served: 100, cost: 250 },
    ],
  },
];

describe(allocateByOutcomes.name, () => {
  it('starts from the cheapest options', () => {
    const a = allocateByOutcomes(items, 0.5);
    expect(a.items.map((i) => i.setting)).toEqual([0.5, 0.5]);
    expect(a.fillRate).toBe(0.5);
    expect(a.cost).toBe(0);
  });

  it('takes the steps that serve most per £ first, across items', () => {
    // Steps by slope: cheap 50→90 (1.0/£), dear 50→90 (0.2), dear 90→100 (0.2), cheap 90→100 (0.1).
    const a = allocateByOutcomes(items, 0.7);
    expect(a.items.map((i) => i.setting)).toEqual([0.9, 0.5]);
    expect(a.fillRate).toBeCloseTo(0.7, 9);
    const b = allocateByOutcomes(items, 0.9);
    expect(b.items.map((i) => i.setting)).toEqual([0.9, 0.9]);
    expect(b.cost).toBe(240);
    expect(b.reachable).toBe(true);
  });

  it('never picks a dominated option and reports an unreachable target', () => {
    const a = allocateByOutcomes(items, 1);
    expect(a.items.map((i) => i.setting)).toEqual([0.99, 0.99]);
    expect(a.fillRate).toBe(1);
    const dominated = allocateByOutcomes(
      [{ id: 'x', demand: 100, options: [{ setting: 1, served: 40, cost: 5 }] }],
      0.9,
    );
    expect(dominated.reachable).toBe(false);
    expect(dominated.fillRate).toBe(0.4);
    expect(items[1].options.some((o) => o.setting === 0.7)).toBe(true);
    for (const t of [0.6, 0.8, 0.95]) expect(allocateByOutcomes(items, t).items[1].setting).not.toBe(0.7);
  });

  it('skips a frontier point that lies below the chord (concave frontier)', () => {
    const a = allocateByOutcomes(
      [
        {
          id: 'a',
          demand: 10,
          options: [
            { setting: 1, served: 0, cost: 0 },
            { setting: 2, served: 1, cost: 10 },
            { setting: 3, served: 10, cost: 20 },
          ],
        },
        {
          id: 'b',
          demand: 10,
          options: [
            { setting: 1, served: 0, cost: 0 },
            { setting: 2, served: 4, cost: 10 },
          ],
        },
      ],
      0.45,
    );
    // a's chord 0→10 served for £20 (0.5/£) beats b's 0.4/£, so a jumps straight to setting 3.
    expect(a.items.map((i) => i.setting)).toEqual([3, 1]);
  });
});
