import { snapshotToDataset, TrainingSnapshotBuilder } from '../domain/training-snapshot';
import { decodeSnapshot, encodeSnapshot } from './training-snapshot.codec';

describe(encodeSnapshot.name, () => {
  it('round-trips a snapshot exactly, so a resumed run rebuilds the same dataset and indices', () => {
    const b = new TrainingSnapshotBuilder();
    b.add('u1', 'i1', 1, 1_700_000_000.5);
    b.add('u2', 'i2', 5, 1_700_000_100);
    b.add('u1', 'i2', 0, 1_700_000_200); // dropped: not a positive signal
    b.add('u1', 'i3', 3, 1_700_000_300);
    b.addItem({ itemId: 'i4', title: 'cold item', categories: ['toys'] });
    b.addItem({ itemId: 'i4', title: 'sent twice after a resumed stream' });
    const snapshot = b.build({ snapshotId: 's1', asOf: new Date('2026-11-01T00:00:00Z') });
    const back = decodeSnapshot(encodeSnapshot(snapshot));
    expect(back).toEqual(snapshot);
    expect(back.itemIds).toEqual(['i1', 'i2', 'i3', 'i4']);
    expect(back.catalog).toEqual([{ itemId: 'i4', title: 'cold item', categories: ['toys'] }]);
    const data = snapshotToDataset(back);
    expect([data.size, data.numUsers, data.numItems]).toEqual([3, 2, 4]);
    expect(data.items.indexOf('i3')).toBe(2);
  });
});
