import { DomainError, ValidationError } from '@app/platform/errors/domain-error';
import {
  appliesTo,
  assignVariant,
  bucketOf,
  assignmentHash,
  checkExperimentId,
  ExperimentInput,
  newExperiment,
  startExperiment,
  stopExperiment,
  TOTAL_BPS,
} from './experiment';

const NOW = new Date('2026-11-20T10:00:00Z');

function input(overrides: Partial<ExperimentInput> = {}): ExperimentInput {
  return {
    id: 'exp-1',
    name: 'Trending vs model',
    description: '',
    placements: ['home'],
    variants: [
      { id: 'control', description: '', trafficBps: 5_000, treatment: { strategy: 'default' } },
      { id: 'trending', description: '', trafficBps: 5_000, treatment: { strategy: 'trending', diversity: 0.5 } },
    ],
    ...overrides,
  };
}

function violationsOf(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return [...(err as ValidationError).violations];
  }
  throw new Error('expected a ValidationError');
}

describe('Experiment', () => {
  describe(newExperiment.name, () => {
    it('creates a draft and generates an id when none is given', () => {
      const e = newExperiment(input(), NOW);
      expect(e).toMatchObject({ id: 'exp-1', state: 'draft', createdAt: NOW, placements: ['home'] });
      expect(e.variants[1].treatment).toEqual({ strategy: 'trending', diversity: 0.5, modelId: undefined });
      expect(newExperiment(input({ id: '' }), NOW).id).toMatch(/^exp-[0-9a-f-]{36}$/);
    });

    it('names every bad field with its proto name', () => {
      const fields = violationsOf(() =>
        newExperiment(
          input({
            id: 'bad id!',
            name: ' ',
            placements: ['home', 'home', ''],
            variants: [
              {
                id: 'a',
                description: '',
                trafficBps: 5_000,
                treatment: { strategy: 'default', modelId: 'no spaces!' },
              },
              { id: 'a', description: '', trafficBps: 0, treatment: { strategy: 'default', diversity: 1.5 } },
            ],
          }),
          NOW,
        ),
      ).map((v) => v.field);
      expect(fields).toEqual([
        'experiment.experiment_id',
        'experiment.name',
        'experiment.placements[1]',
        'experiment.placements[2]',
        'experiment.variants[0].treatment.model_id',
        'experiment.variants[1].variant_id',
        'experiment.variants[1].traffic_bps',
        'experiment.variants[1].treatment.diversity',
      ]);
    });

    it('needs two variants whose shares sum to 10,000 bps', () => {
      const one = violationsOf(() => newExperiment(input({ variants: [input().variants[0]] }), NOW));
      expect(one).toEqual([
        { field: 'experiment.variants', message: expect.stringContaining('at least two') as string },
        { field: 'experiment.variants', message: expect.stringContaining('not 5000') as string },
      ]);
      const [a, b] = input().variants;
      const short = violationsOf(() => newExperiment(input({ variants: [a, { ...b, trafficBps: 4_000 }] }), NOW));
      expect(short).toEqual([
        { field: 'experiment.variants', message: expect.stringContaining('sum to 10000') as string },
      ]);
      const fraction = violationsOf(() => newExperiment(input({ variants: [a, { ...b, trafficBps: 4_999.5 }] }), NOW));
      expect(fraction.map((v) => v.field)).toEqual(['experiment.variants[1].traffic_bps']);
    });

    it('reports what the transport found together with its own findings', () => {
      const v = violationsOf(() =>
        newExperiment(input({ name: '' }), NOW, [
          { field: 'experiment.variants[0].treatment.strategy', message: 'unknown' },
        ]),
      );
      expect(v.map((x) => x.field)).toEqual(['experiment.variants[0].treatment.strategy', 'experiment.name']);
    });

    it('checks a lone experiment id', () => {
      expect(checkExperimentId('exp-1')).toBe('exp-1');
      expect(() => checkExperimentId('')).toThrow(/experiment_id: is required/);
      expect(() => checkExperimentId('a/b', 'id')).toThrow(/id: must be/);
    });
  });

  describe('state transitions', () => {
    const draft = newExperiment(input(), NOW);
    const later = new Date(NOW.getTime() + 60_000);

    it('goes DRAFT → RUNNING → STOPPED', () => {
      const running = startExperiment(draft, NOW);
      expect(running).toMatchObject({ state: 'running', startedAt: NOW });
      expect(stopExperiment(running, later)).toMatchObject({ state: 'stopped', startedAt: NOW, stoppedAt: later });
    });

    it('refuses every other move with EXPERIMENT.BAD_STATE', () => {
      const running = startExperiment(draft, NOW);
      const stopped = stopExperiment(running, later);
      for (const fn of [
        () => stopExperiment(draft, later),
        () => startExperiment(running, later),
        () => startExperiment(stopped, later),
        () => stopExperiment(stopped, later),
      ]) {
        expect(fn).toThrow(DomainError);
        try {
          fn();
        } catch (err) {
          expect((err as DomainError).code).toBe('EXPERIMENT.BAD_STATE');
        }
      }
    });
  });

  describe(appliesTo.name, () => {
    it('applies everywhere without placements, else only on its placements', () => {
      expect(appliesTo({ placements: [] }, undefined)).toBe(true);
      expect(appliesTo({ placements: [] }, 'pdp')).toBe(true);
      expect(appliesTo({ placements: ['home'] }, 'home')).toBe(true);
      expect(appliesTo({ placements: ['home'] }, 'pdp')).toBe(false);
      expect(appliesTo({ placements: ['home'] }, undefined)).toBe(false);
    });
  });

  describe(assignVariant.name, () => {
    const variants = [
      { id: 'control', trafficBps: 5_000 },
      { id: 'b', trafficBps: 3_000 },
      { id: 'c', trafficBps: 2_000 },
    ];

    it('is stable: the same subject always lands in the same variant, and buckets are fixed values', () => {
      for (let i = 0; i < 1_000; i++) {
        expect(assignVariant('exp-1', `user-${i}`, variants)).toBe(assignVariant('exp-1', `user-${i}`, variants));
      }
      // Pinned so that a change of hash (which would reshuffle every running experiment) fails here.
      expect(assignmentHash('exp-1', 'user-1')).toMatch(/^946a773d857b/);
      expect(bucketOf(assignmentHash('exp-1', 'user-1'))).toBe(4_795);
      expect(assignVariant('exp-1', 'user-1', variants).id).toBe('control');
      expect(bucketOf('000000000000ff')).toBe(0);
      expect(bucketOf('00000000270f')).toBe(9_999);
      expect(bucketOf('000000002710')).toBe(0);
    });

    it('respects shares within ±1 percentage point over 100,000 subjects', () => {
      const counts = new Map<string, number>();
      const n = 100_000;
      for (let i = 0; i < n; i++) {
        const v = assignVariant('exp-shares', `user-${i}`, variants);
        counts.set(v.id, (counts.get(v.id) ?? 0) + 1);
      }
      for (const v of variants) {
        expect(Math.abs((counts.get(v.id) ?? 0) / n - v.trafficBps / TOTAL_BPS)).toBeLessThan(0.01);
      }
    });

    it('assigns independently across experiments', () => {
      const two = [
        { id: 'a', trafficBps: 5_000 },
        { id: 'b', trafficBps: 5_000 },
      ];
      let same = 0;
      for (let i = 0; i < 10_000; i++) {
        if (assignVariant('exp-x', `u${i}`, two) === assignVariant('exp-y', `u${i}`, two)) same += 1;
      }
      expect(same / 10_000).toBeGreaterThan(0.48);
      expect(same / 10_000).toBeLessThan(0.52);
    });

    it('covers every bucket by cumulative shares', () => {
      const ab = [
        { id: 'a', trafficBps: 1 },
        { id: 'b', trafficBps: 9_999 },
      ];
      expect(assignVariant('e', 's', ab)).toBeDefined();
    });
  });
});
