import { DatasetBuilder, InteractionDataset } from './interaction.dataset';

describe(InteractionDataset.name, () => {
  const data = InteractionDataset.fromInteractions(
    [
      { userId: 'u1', itemId: 'a', timestamp: 5, type: 'view' },
      { userId: 'u1', itemId: 'a', timestamp: 9, type: 'purchase' },
      { userId: 'u2', itemId: 'b', timestamp: 1, weight: 2 },
      { userId: 'u2', itemId: 'c', timestamp: 2, weight: 0 }, // not a positive signal
      { userId: 'u3', itemId: 'b', timestamp: 3, type: 'unknown-type' },
    ],
    { items: [{ itemId: 'cold', title: 'never bought' }] },
  );

  it('indexes users and items densely, catalogue items included', () => {
    expect(data.size).toBe(4);
    expect(data.users.toArray()).toEqual(['u1', 'u2', 'u3']);
    expect(data.items.toArray()).toEqual(['cold', 'a', 'b']);
    expect(data.catalog.get('cold')?.title).toBe('never bought');
  });

  it('weights events by type unless a weight is given', () => {
    expect(Array.from(data.weight)).toEqual([1, 5, 2, 1]);
  });

  it('aggregates duplicate events in the matrix, latest time kept', () => {
    const m = data.toMatrix();
    expect(m.get(0, 1)).toBe(6);
    expect(m.rowTimes(0)![0]).toBe(9);
    expect(m.nnz).toBe(3);
  });

  it('subsets share the id maps', () => {
    const s = data.subset([2, 3]);
    expect(s.size).toBe(2);
    expect(s.items).toBe(data.items);
    expect(Array.from(s.userIndex)).toEqual([1, 2]);
  });

  it('orders each user’s rows by time', () => {
    const rows = InteractionDataset.fromInteractions([
      { userId: 'u', itemId: 'x', timestamp: 3 },
      { userId: 'u', itemId: 'y', timestamp: 1 },
    ]).rowsByUser();
    expect(Array.from(rows[0])).toEqual([1, 0]);
  });

  it('builds incrementally past its initial capacity', () => {
    const b = new DatasetBuilder();
    for (let k = 0; k < 3000; k++) b.add({ userId: `u${k % 7}`, itemId: `i${k % 11}`, timestamp: k });
    const d = b.build();
    expect(d.size).toBe(3000);
    expect(d.numUsers).toBe(7);
    expect(d.maxTimestamp()).toBe(2999);
  });
});
