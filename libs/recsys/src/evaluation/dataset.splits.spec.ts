import { InteractionDataset } from '../core/interaction.dataset';
import { RecsysError } from '../core/recsys.errors';
import { plantedGroups } from '../testing/planted.data';
import { kFoldSplits, roundHalfEven, SPLIT_METHODS, splitDataset } from './dataset.splits';

const data = plantedGroups({ users: 90, items: 40, perUser: 9, seed: 11 }).dataset;
const key = (d: InteractionDataset, p: number): string => `${d.userIndex[p]}|${d.itemIndex[p]}|${d.timestamp[p]}`;
const keys = (d: InteractionDataset): string[] => Array.from({ length: d.size }, (_, p) => key(d, p));
const pairs = (d: InteractionDataset): Set<string> =>
  new Set(Array.from({ length: d.size }, (_, p) => `${d.userIndex[p]}|${d.itemIndex[p]}`));

describe(splitDataset.name, () => {
  it.each(SPLIT_METHODS)('%s partitions the rows and never puts a test interaction in training', (method) => {
    const { train, test } = splitDataset(data, { method, ratio: 0.75, seed: 7 });
    expect(train.size + test.size).toBe(data.size);
    expect(test.size).toBeGreaterThan(0);
    expect([...keys(train), ...keys(test)].sort()).toEqual(keys(data).sort());
    const trainPairs = pairs(train);
    for (const p of pairs(test)) expect(trainPairs.has(p)).toBe(false);
    expect(train.users).toBe(data.users); // same id space for train and test
  });

  it.each(SPLIT_METHODS)('%s is reproducible from its seed', (method) => {
    const a = splitDataset(data, { method, ratio: 0.75, seed: 3 });
    const b = splitDataset(data, { method, ratio: 0.75, seed: 3 });
    expect(keys(a.test)).toEqual(keys(b.test));
  });

  it('gives a different random split for a different seed', () => {
    const a = splitDataset(data, { method: 'stratified-user', ratio: 0.75, seed: 1 });
    const b = splitDataset(data, { method: 'stratified-user', ratio: 0.75, seed: 2 });
    expect(keys(a.test)).not.toEqual(keys(b.test));
  });

  it('stratified-user keeps round(ratio·n) of every user in training', () => {
    const { train } = splitDataset(data, { method: 'stratified-user', ratio: 0.75, seed: 7 });
    const per = (d: InteractionDataset): number[] => {
      const c = new Array<number>(d.numUsers).fill(0);
      for (const u of d.userIndex) c[u]++;
      return c;
    };
    const all = per(data);
    per(train).forEach((n, u) => expect(n).toBe(roundHalfEven(0.75 * all[u])));
  });

  it('stratified-item keeps round(ratio·n) of every item in training', () => {
    const { train } = splitDataset(data, { method: 'stratified-item', ratio: 0.6, seed: 7 });
    const per = (d: InteractionDataset): number[] => {
      const c = new Array<number>(d.numItems).fill(0);
      for (const i of d.itemIndex) c[i]++;
      return c;
    };
    const all = per(data);
    per(train).forEach((n, i) => expect(n).toBe(roundHalfEven(0.6 * all[i])));
  });

  it('temporal trains strictly on the past', () => {
    const { train, test } = splitDataset(data, { method: 'temporal', ratio: 0.8, seed: 0 });
    expect(Math.max(...train.timestamp)).toBeLessThan(Math.min(...test.timestamp));
    expect(train.size / data.size).toBeGreaterThan(0.75);
    expect(train.size / data.size).toBeLessThan(0.85);
  });

  it('leave-last-out holds out exactly each user’s latest interaction', () => {
    const { train, test } = splitDataset(data, { method: 'leave-last-out', ratio: 0.5, seed: 0 });
    expect(test.size).toBe(data.numUsers);
    const latestTrain = new Map<number, number>();
    for (let p = 0; p < train.size; p++) {
      latestTrain.set(train.userIndex[p], Math.max(latestTrain.get(train.userIndex[p]) ?? 0, train.timestamp[p]));
    }
    for (let p = 0; p < test.size; p++) expect(test.timestamp[p]).toBeGreaterThan(latestTrain.get(test.userIndex[p])!);
  });

  it('random-user holds out about 1 − ratio and leaves every user something to train on', () => {
    const { train, test } = splitDataset(data, { method: 'random-user', ratio: 0.75, seed: 9 });
    expect(test.size / data.size).toBeGreaterThan(0.18);
    expect(test.size / data.size).toBeLessThan(0.32);
    expect(new Set(train.userIndex).size).toBe(data.numUsers);
  });

  it('rejects a ratio outside (0, 1) with a coded error', () => {
    expect(() => splitDataset(data, { method: 'temporal', ratio: 1.2, seed: 0 })).toThrow(RecsysError);
    expect(() => splitDataset(data, { method: 'temporal', ratio: 0, seed: 0 })).toThrow(/ratio/);
  });
});

describe(kFoldSplits.name, () => {
  it('tests every row in exactly one fold', () => {
    const folds = kFoldSplits(data, 5, 4);
    expect(folds).toHaveLength(5);
    const tested = folds.flatMap((f) => keys(f.test)).sort();
    expect(tested).toEqual(keys(data).sort());
    for (const f of folds) expect(f.train.size + f.test.size).toBe(data.size);
  });
});

describe(roundHalfEven.name, () => {
  it('rounds halves to the even neighbour like Python', () => {
    expect([0.5, 1.5, 2.5, 3.5, 4.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, 4, 2, 3]);
  });
});
