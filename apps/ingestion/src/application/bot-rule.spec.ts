import { BotRule } from './bot-rule';

const at = Date.parse('2026-11-10T10:00:00.000Z');
const events = (subject: string, n: number, atMs = at, prefix = subject) =>
  Array.from({ length: n }, (_, i) => ({ subject, atMs: atMs + i, key: `${prefix}-${i}` }));

describe(BotRule.name, () => {
  it('flags events beyond the limit per subject and second, counting earlier committed batches', () => {
    const rule = new BotRule(3);
    expect(rule.check(events('u:a', 5))).toEqual([false, false, false, true, true]);
    rule.commit(events('u:a', 2));
    expect(rule.check(events('u:a', 2, at, 'later'))).toEqual([false, true]);
    // Another subject, or the next second, starts again.
    expect(rule.check(events('u:b', 3))).toEqual([false, false, false]);
    expect(rule.check(events('u:a', 3, at + 1000))).toEqual([false, false, false]);
  });

  it('does not count a resubmitted event twice (a retried batch is not a burst)', () => {
    const rule = new BotRule(3);
    const batch = events('u:a', 3);
    rule.commit(batch);
    expect(rule.check(batch)).toEqual([false, false, false]);
    expect(rule.check([...batch, ...batch])).toEqual([false, false, false, false, false, false]);
  });

  it('forgets buckets not touched for the retention time, and does nothing when disabled', () => {
    const rule = new BotRule(1, 1000);
    rule.commit(events('u:a', 1), 0);
    expect(rule.check(events('u:a', 1, at, 'x'))).toEqual([true]);
    rule.commit(events('u:z', 1), 5000); // a later commit sweeps the stale bucket
    expect(rule.check(events('u:a', 1, at, 'y'))).toEqual([false]);
    expect(new BotRule(0).check(events('u:a', 50)).some(Boolean)).toBe(false);
  });
});
