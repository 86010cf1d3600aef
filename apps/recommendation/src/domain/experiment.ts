import { createHash, randomUUID } from 'node:crypto';
import { FieldViolation, NotFoundError, PreconditionError, ValidationError } from '@app/platform/errors/domain-error';
import { StrategyName, Treatment } from './serving.types';

/*
 * A/B experiments: what one is, which inputs are valid, how it moves DRAFT → RUNNING → STOPPED, and
 * how a user or session is assigned to a variant. Plain TypeScript: the service, the tests and a CLI
 * all call these.
 */

export type ExperimentState = 'draft' | 'running' | 'stopped';

export const TOTAL_BPS = 10_000;
export const MAX_VARIANTS = 20;
export const MAX_PLACEMENTS = 50;

export interface ExperimentVariant {
  readonly id: string;
  readonly description: string;
  /** Share of traffic in basis points; the variants of an experiment sum to 10,000. */
  readonly trafficBps: number;
  readonly treatment: Treatment;
}

export interface Experiment {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Placements it applies to; empty for all. */
  readonly placements: readonly string[];
  /** The first is the control. */
  readonly variants: readonly ExperimentVariant[];
  readonly state: ExperimentState;
  readonly createdAt: Date;
  readonly startedAt?: Date;
  readonly stoppedAt?: Date;
}

/** What a caller asks to create; `strategy` undefined means the transport sent a value we do not know. */
export interface ExperimentInput {
  readonly id?: string;
  readonly name: string;
  readonly description: string;
  readonly placements: readonly string[];
  readonly variants: readonly {
    readonly id: string;
    readonly description: string;
    readonly trafficBps: number;
    readonly treatment: { readonly modelId?: string; readonly strategy: StrategyName; readonly diversity?: number };
  }[];
}

/** Ids travel in event context (`experimentId` ≤ 128, `variant` ≤ 64 characters) and in URLs. */
const EXPERIMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const VARIANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const MAX_NAME = 200;
const MAX_DESCRIPTION = 4_000;
const MAX_PLACEMENT = 128;

export const EXPERIMENT_ERRORS = {
  notFound: 'EXPERIMENT.NOT_FOUND',
  badState: 'EXPERIMENT.BAD_STATE',
  alreadyExists: 'EXPERIMENT.ALREADY_EXISTS',
  invalid: 'EXPERIMENT.INVALID',
} as const;

export function experimentNotFound(id: string): NotFoundError {
  return new NotFoundError(EXPERIMENT_ERRORS.notFound, `Experiment ${id} does not exist`);
}

/** Checks an experiment id given on its own (a path parameter, a request field). */
export function checkExperimentId(id: string, field = 'experiment_id'): string {
  if (!id) throw new ValidationError([{ field, message: 'is required' }]);
  if (!EXPERIMENT_ID.test(id)) {
    throw new ValidationError([{ field, message: 'must be 1-128 letters, digits, ".", "_", ":" or "-"' }]);
  }
  return id;
}

/**
 * Every problem with an experiment to create, with proto field names (`experiment.variants[1].traffic_bps`).
 * `earlier` are problems the transport already found (e.g. an unknown enum value), reported together.
 */
export function experimentViolations(
  input: ExperimentInput,
  earlier: readonly FieldViolation[] = [],
): FieldViolation[] {
  const v: FieldViolation[] = [...earlier];
  const add = (field: string, message: string) => v.push({ field: `experiment.${field}`, message });

  if (input.id !== undefined && input.id !== '' && !EXPERIMENT_ID.test(input.id)) {
    add('experiment_id', 'must be 1-128 letters, digits, ".", "_", ":" or "-"');
  }
  if (!input.name.trim()) add('name', 'is required');
  else if (input.name.length > MAX_NAME) add('name', `must be at most ${MAX_NAME} characters`);
  if (input.description.length > MAX_DESCRIPTION) add('description', `must be at most ${MAX_DESCRIPTION} characters`);

  if (input.placements.length > MAX_PLACEMENTS) add('placements', `must have at most ${MAX_PLACEMENTS} entries`);
  const placements = new Set<string>();
  input.placements.forEach((p, i) => {
    if (!p.trim()) add(`placements[${i}]`, 'must not be empty');
    else if (p.length > MAX_PLACEMENT) add(`placements[${i}]`, `must be at most ${MAX_PLACEMENT} characters`);
    else if (placements.has(p)) add(`placements[${i}]`, `repeats "${p}"`);
    placements.add(p);
  });

  if (input.variants.length < 2) add('variants', 'needs at least two variants (the first is the control)');
  if (input.variants.length > MAX_VARIANTS) add('variants', `must have at most ${MAX_VARIANTS} variants`);
  const ids = new Set<string>();
  let total = 0;
  let sharesValid = true;
  input.variants.forEach((variant, i) => {
    const at = `variants[${i}]`;
    if (!variant.id) add(`${at}.variant_id`, 'is required');
    else if (!VARIANT_ID.test(variant.id)) add(`${at}.variant_id`, 'must be 1-64 letters, digits, ".", "_" or "-"');
    else if (ids.has(variant.id)) add(`${at}.variant_id`, `repeats "${variant.id}": variant ids must be unique`);
    ids.add(variant.id);
    if (variant.description.length > MAX_DESCRIPTION) {
      add(`${at}.description`, `must be at most ${MAX_DESCRIPTION} characters`);
    }
    if (!Number.isInteger(variant.trafficBps) || variant.trafficBps < 1 || variant.trafficBps > TOTAL_BPS) {
      add(`${at}.traffic_bps`, `must be a whole number of basis points from 1 to ${TOTAL_BPS}`);
      sharesValid = false;
    } else {
      total += variant.trafficBps;
    }
    const { modelId, diversity } = variant.treatment;
    if (modelId && !MODEL_ID.test(modelId)) {
      add(`${at}.treatment.model_id`, 'must be 1-128 letters, digits, ".", "_", ":" or "-"');
    }
    if (diversity !== undefined && !(Number.isFinite(diversity) && diversity >= 0 && diversity <= 1)) {
      add(`${at}.treatment.diversity`, 'must be between 0 and 1');
    }
  });
  if (sharesValid && input.variants.length > 0 && total !== TOTAL_BPS) {
    add('variants', `traffic_bps must sum to ${TOTAL_BPS} (basis points), not ${total}`);
  }
  return v;
}

/** A new DRAFT experiment, or a ValidationError naming every bad field. */
export function newExperiment(
  input: ExperimentInput,
  now: Date,
  earlier: readonly FieldViolation[] = [],
  newId: () => string = () => `exp-${randomUUID()}`,
): Experiment {
  const violations = experimentViolations(input, earlier);
  if (violations.length > 0) throw new ValidationError(violations, EXPERIMENT_ERRORS.invalid);
  return {
    id: input.id || newId(),
    name: input.name.trim(),
    description: input.description,
    placements: [...input.placements],
    variants: input.variants.map((variant) => ({
      id: variant.id,
      description: variant.description,
      trafficBps: variant.trafficBps,
      treatment: {
        modelId: variant.treatment.modelId || undefined,
        strategy: variant.treatment.strategy,
        diversity: variant.treatment.diversity,
      },
    })),
    state: 'draft',
    createdAt: now,
  };
}

function badState(e: Experiment, action: string, needed: ExperimentState): PreconditionError {
  return new PreconditionError(
    EXPERIMENT_ERRORS.badState,
    `Cannot ${action} experiment ${e.id}: it is ${e.state}, it must be ${needed}`,
  );
}

/** DRAFT → RUNNING. */
export function startExperiment(e: Experiment, now: Date): Experiment {
  if (e.state !== 'draft') throw badState(e, 'start', 'draft');
  return { ...e, state: 'running', startedAt: now };
}

/** RUNNING → STOPPED; results are frozen from here on. */
export function stopExperiment(e: Experiment, now: Date): Experiment {
  if (e.state !== 'running') throw badState(e, 'stop', 'running');
  return { ...e, state: 'stopped', stoppedAt: now };
}

/** Whether an experiment serves a request on this placement (no placements: every placement). */
export function appliesTo(e: Pick<Experiment, 'placements'>, placement: string | undefined): boolean {
  return e.placements.length === 0 || (placement !== undefined && e.placements.includes(placement));
}

/**
 * SHA-256 of `${experimentId}:${subject}`, hex. Keyed by the experiment so that one user's buckets
 * in different experiments are independent; stored instead of the raw user id.
 */
export function assignmentHash(experimentId: string, subject: string): string {
  return createHash('sha256').update(`${experimentId}:${subject}`).digest('hex');
}

/** 0..9999 from the hash's first 48 bits (the modulo bias is below 1e-10). */
export function bucketOf(hash: string): number {
  return parseInt(hash.slice(0, 12), 16) % TOTAL_BPS;
}

/** The variant whose cumulative share covers the bucket. */
export function variantForBucket<V extends Pick<ExperimentVariant, 'trafficBps'>>(
  bucket: number,
  variants: readonly V[],
): V {
  let upTo = 0;
  for (const v of variants) {
    upTo += v.trafficBps;
    if (bucket < upTo) return v;
  }
  return variants[variants.length - 1];
}

/**
 * Deterministic assignment: the same experiment and subject always give the same variant, in every
 * replica and after restarts, with no stored state.
 */
export function assignVariant<V extends Pick<ExperimentVariant, 'trafficBps'>>(
  experimentId: string,
  subject: string,
  variants: readonly V[],
): V {
  return variantForBucket(bucketOf(assignmentHash(experimentId, subject)), variants);
}
