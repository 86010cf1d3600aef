import { MessagingNames } from './messaging.naming';
import { diffConfig, toConsumerConfig, toStreamConfig } from './stream.provisioner';

describe('stream provisioner config', () => {
  const names = new MessagingNames('shop');

  it('turns a stream definition into a namespaced JetStream config with nanosecond durations', () => {
    const cfg = toStreamConfig(names, {
      name: 'EVENTS',
      subjects: ['events.>'],
      duplicateWindowMs: 120_000,
      maxAgeMs: 86_400_000,
    });
    expect(cfg).toMatchObject({
      name: 'SHOP_EVENTS',
      subjects: ['shop.events.>'],
      duplicate_window: 120_000 * 1e6,
      max_age: 86_400_000 * 1e6,
      storage: 'file',
      retention: 'limits',
    });
  });

  it('rejects a duplicate window longer than the retention', () => {
    expect(() => toStreamConfig(names, { name: 'X', subjects: ['x'], duplicateWindowMs: 10, maxAgeMs: 5 })).toThrow(
      /duplicateWindowMs/,
    );
  });

  it('reports only the fields that differ, comparing subject lists as sets', () => {
    expect(diffConfig({ subjects: ['a', 'b'], max_age: 1 }, { subjects: ['b', 'a'], max_age: 1 })).toEqual([]);
    expect(diffConfig({ subjects: ['a'], max_age: 1 }, { subjects: ['a', 'b'], max_age: 2 })).toEqual([
      'subjects',
      'max_age',
    ]);
    expect(diffConfig<{ description?: string }>({}, { description: '' })).toEqual([]);
  });

  it('gives the server one delivery more than the handler attempts, so a crash on the last one is dead-lettered', () => {
    const cfg = toConsumerConfig(names, {
      stream: 'EVENTS',
      durable: 'fs',
      maxDeliver: 3,
      filterSubjects: ['events.>'],
    });
    expect(cfg).toMatchObject({ max_deliver: 4, ack_policy: 'explicit', filter_subject: 'shop.events.>' });
    expect(cfg.filter_subjects).toBeUndefined();
  });

  it('uses filter_subjects only for several filters', () => {
    const cfg = toConsumerConfig(names, { stream: 'EVENTS', durable: 'fs', filterSubjects: ['a', 'b'] });
    expect(cfg.filter_subjects).toEqual(['shop.a', 'shop.b']);
    expect(cfg.filter_subject).toBeUndefined();
  });
});
