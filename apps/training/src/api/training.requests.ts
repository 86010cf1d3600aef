import { commonV1, trainingV1 } from '@app/contracts';
import { fromTimestamp, InvalidTimestampError } from '@app/contracts/grpc';
import { parseOrThrow, ValidationError } from '@app/platform/errors';
import { z } from 'zod';
import type { StartRunInput } from '../application/training-run.service';
import { METRIC_KEYS, type SplitMethod } from '../domain/run';
import { paramsFromProto, splitFromProto, weightsFromProto } from './training.proto-mapping';

/*
 * Request validation shared by gRPC and REST: each transport turns its message into the same plain shape, then
 * one schema checks it and names the field that is wrong. gRPC leaves unset fields at '' and 0, so there
 * "unset" means "default".
 */

const ACCURACY_METRICS = Object.keys(METRIC_KEYS).filter((m) => !['coverage', 'novelty', 'diversity'].includes(m));
const SPLIT_METHODS: readonly SplitMethod[] = [
  'random-user',
  'stratified-user',
  'stratified-item',
  'temporal',
  'leave-last-out',
];
const INTERACTION_TYPES = Object.values(commonV1.InteractionType).filter(
  (t) => t !== commonV1.InteractionType.UNSPECIFIED,
);

const id = (what: string) => z.string().trim().min(1, `${what} is required`).max(128, 'at most 128 characters');
export const modelId = z.uuid({ message: 'must be a model id (UUID)' });
const runId = z.uuid({ message: 'must be a run id (UUID)' });

const Candidate = z.object({
  algorithm: z.string().trim().min(1, 'is required').max(64),
  params: z.record(z.string(), z.union([z.number(), z.string().max(10_000), z.boolean()])).default({}),
  tuningBudgetSeconds: z.number().int().min(0, 'must be ≥ 0').max(3600, 'at most 3600 seconds').default(0),
});

const Evaluation = z.object({
  split: z.enum(SPLIT_METHODS, { message: `must be one of ${SPLIT_METHODS.join(', ')}` }).optional(),
  trainRatio: z.number().min(0).lt(1, 'must be below 1').default(0),
  seed: z.number().int().min(0).default(0),
  k: z.number().int().min(0).max(100, 'at most 100').default(0),
  primaryMetric: z
    .string()
    .refine((m) => m === '' || ACCURACY_METRICS.includes(m), {
      message: `must be one of ${ACCURACY_METRICS.join(', ')}`,
    })
    .default(''),
});

const StartRun = z.object({
  requestId: z.string().trim().max(128, 'at most 128 characters').default(''),
  candidates: z.array(Candidate).max(20, 'at most 20 candidates').default([]),
  asOf: z.date().optional(),
  windowStart: z.date().optional(),
  weights: z
    .array(
      z.object({
        type: z.enum(INTERACTION_TYPES, { message: `must be one of ${INTERACTION_TYPES.join(', ')}` }),
        weight: z.number().positive('must be positive').max(1000),
      }),
    )
    .max(20)
    .default([]),
  evaluation: Evaluation.default({ trainRatio: 0, seed: 0, k: 0, primaryMetric: '' }),
  autoPromote: z.boolean().default(false),
  requestedBy: id('requestedBy'),
});

function toInput(r: z.infer<typeof StartRun>): StartRunInput {
  return {
    requestId: r.requestId || undefined,
    candidates: r.candidates,
    asOf: r.asOf,
    windowStart: r.windowStart,
    weights: r.weights,
    evaluation: { ...r.evaluation, split: r.evaluation.split },
    autoPromote: r.autoPromote,
    requestedBy: r.requestedBy,
    trigger: 'manual',
  };
}

function time(field: string, value: unknown): Date | undefined {
  if (value === null || value === undefined) return undefined;
  try {
    return fromTimestamp(value as { seconds: number; nanos: number });
  } catch (err) {
    if (err instanceof InvalidTimestampError) throw new ValidationError([{ field, message: err.message }]);
    throw err;
  }
}

export function startRunFromProto(r: trainingV1.StartRunRequest): StartRunInput {
  const split = r.evaluation ? r.evaluation.split : trainingV1.SplitStrategy.UNSPECIFIED;
  return toInput(
    parseOrThrow(StartRun, {
      requestId: r.requestId,
      candidates: r.candidates.map((c) => ({ ...c, params: paramsFromProto(c.params) })),
      asOf: time('asOf', r.asOf),
      windowStart: time('windowStart', r.windowStart),
      weights: weightsFromProto(r.weights),
      evaluation: r.evaluation
        ? {
            ...r.evaluation,
            split:
              split === trainingV1.SplitStrategy.UNSPECIFIED ? undefined : (splitFromProto(split) ?? String(split)),
          }
        : undefined,
      autoPromote: r.autoPromote,
      requestedBy: r.requestedBy,
    }),
  );
}

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 time' }).transform((s) => new Date(s));

/** REST body of POST /v1/runs: the same fields, times as ISO-8601, types as `purchase` or the proto names. */
const StartRunHttp = z.object({
  requestId: z.string().optional(),
  candidates: z.array(z.unknown()).optional(),
  asOf: isoTime.optional(),
  windowStart: isoTime.optional(),
  weights: z.array(z.object({ type: z.string(), weight: z.unknown() })).optional(),
  evaluation: z.record(z.string(), z.unknown()).optional(),
  autoPromote: z.boolean().optional(),
  requestedBy: z.string().optional(),
});

export function startRunFromHttp(body: unknown): StartRunInput {
  const r = parseOrThrow(StartRunHttp, body ?? {});
  const typeName = (t: string) =>
    t.startsWith('INTERACTION_TYPE_') ? t : `INTERACTION_TYPE_${t.toUpperCase().replace(/-/g, '_')}`;
  return toInput(
    parseOrThrow(StartRun, {
      ...r,
      requestId: r.requestId ?? '',
      requestedBy: r.requestedBy ?? '',
      weights: r.weights?.map((w) => ({ type: typeName(w.type), weight: w.weight })),
    }),
  );
}

export const Paging = z.object({
  pageSize: z.coerce.number().int().min(0).max(500, 'at most 500').default(0),
  pageToken: z.string().regex(/^\d*$/, 'is not a token this service issued').default(''),
});

export function page(p: z.infer<typeof Paging>): { limit: number; offset: number } {
  return { limit: p.pageSize || 50, offset: p.pageToken ? Number(p.pageToken) : 0 };
}

/** Asks for one more row than the page to know whether another page follows. */
export function nextToken(offset: number, limit: number, fetched: number): string {
  return fetched > limit ? String(offset + limit) : '';
}

export const RunIdRequest = z.object({ runId });
export const ModelIdRequest = z.object({ modelId });

export const CompareRequest = z.object({
  modelIds: z.array(modelId).min(2, 'compare 2 to 20 models').max(20, 'compare 2 to 20 models'),
  metrics: z.array(z.string().trim().min(1)).max(20).default([]),
});

export const PromoteRequest = z.object({
  modelId,
  force: z.boolean().default(false),
  reason: z.string().max(4000).default(''),
  requestedBy: id('requestedBy'),
});

export const RollbackRequest = z.object({
  modelId: z.union([z.literal(''), modelId]).default(''),
  reason: z.string().max(4000).default(''),
  requestedBy: id('requestedBy'),
});

export const ArtifactRequest = z.object({
  modelId,
  offset: z.number().int().min(0, 'must be ≥ 0').default(0),
  chunkSize: z
    .number()
    .int()
    .min(0)
    .max(1024 * 1024, 'at most 1 MiB')
    .default(0),
});
