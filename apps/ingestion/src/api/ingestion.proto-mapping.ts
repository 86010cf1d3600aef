import { ingestionV1 } from '@app/contracts';
import { toTimestamp } from '@app/contracts/grpc';
import { ValidationError } from '@app/platform/errors';
import type { RecordKind } from '../domain';
import type { IngestOutcome, RecordOutcome } from '../application/ingest.service';
import type { ImportFormat } from '../infra/import';
import type { ImportJob, ImportJobState } from '../infra/import-job.repository';
import type { QuarantinedRecord, QuarantineState } from '../infra/quarantine.repository';

/*
 * Between the service's lower-case names ('sales_line', 'online-retail') and the proto enums
 * (RECORD_KIND_SALES_LINE, IMPORT_FORMAT_ONLINE_RETAIL): the enum's key is the upper-cased name.
 */

type StringEnum = Record<string, string>;

function toEnum<E extends StringEnum>(e: E, name: string): E[keyof E] {
  return e[name.replace(/-/g, '_').toUpperCase()] as E[keyof E];
}

/** The lower-case name of an enum value, or undefined for UNSPECIFIED. */
function fromEnum(e: StringEnum, value: string, separator = '_'): string | undefined {
  const key = Object.keys(e).find((k) => e[k] === value);
  if (key === undefined || key === 'UNSPECIFIED') return undefined;
  return key.toLowerCase().replace(/_/g, separator);
}

/** An enum filter: UNSPECIFIED (or empty) means "any"; anything else must be a known value. */
function enumFilter<T extends string>(
  e: StringEnum,
  value: string | undefined,
  field: string,
  separator = '_',
): T | undefined {
  if (!value || value.endsWith('_UNSPECIFIED')) return undefined;
  const name = fromEnum(e, value, separator);
  if (name === undefined) throw new ValidationError([{ field, message: `unknown value ${value}` }]);
  return name as T;
}

export const kindFromProto = (v: string | undefined, field = 'kind') =>
  enumFilter<RecordKind>(ingestionV1.RecordKind, v, field);
export const quarantineStateFromProto = (v: string | undefined) =>
  enumFilter<QuarantineState>(ingestionV1.QuarantineState, v, 'state');
export const jobStateFromProto = (v: string | undefined) =>
  enumFilter<ImportJobState>(ingestionV1.ImportJobState, v, 'state');
export const formatFromProto = (v: string | undefined) =>
  enumFilter<ImportFormat>(ingestionV1.ImportFormat, v, 'format', '-');

export function resultToProto(r: RecordOutcome): ingestionV1.RecordResult {
  return {
    index: r.index,
    recordKey: r.key,
    status: toEnum(ingestionV1.RecordStatus, r.status),
    errors: r.errors.map((e) => ({ field: e.field, code: e.code, message: e.message })),
    quarantineId: r.quarantineId ?? '',
    flags: r.flags.map((f) => toEnum(ingestionV1.RecordFlag, f)),
  };
}

export function outcomeToProto(o: IngestOutcome): {
  summary: ingestionV1.IngestSummary;
  results: ingestionV1.RecordResult[];
} {
  return { summary: { ...o.summary }, results: o.results.map(resultToProto) };
}

export function quarantinedToProto(r: QuarantinedRecord): ingestionV1.QuarantinedRecord {
  return {
    quarantineId: r.id,
    kind: toEnum(ingestionV1.RecordKind, r.kind),
    payloadJson: r.payload,
    reasons: r.reasons.map((e) => ({ field: e.field, code: e.code, message: e.message })),
    source: toEnum(ingestionV1.RecordSource, r.source),
    importJobId: r.importJobId ?? '',
    quarantinedAt: toTimestamp(r.quarantinedAt),
    state: toEnum(ingestionV1.QuarantineState, r.state),
    replayAttempts: r.replayAttempts,
    lastReplayedAt: r.lastReplayedAt ? toTimestamp(r.lastReplayedAt) : null,
  };
}

export function jobToProto(j: ImportJob): ingestionV1.ImportJob {
  const { skippedByReason: _byReason, ...counts } = j.counts;
  return {
    jobId: j.jobId,
    format: toEnum(ingestionV1.ImportFormat, j.format),
    kind: j.kind ? toEnum(ingestionV1.RecordKind, j.kind) : ingestionV1.RecordKind.UNSPECIFIED,
    sourceUri: j.sourceUri,
    state: toEnum(ingestionV1.ImportJobState, j.state),
    progress: { stage: j.state, done: j.bytesRead, total: j.fileSize, unitsPerSecond: j.unitsPerSecond },
    counts,
    createdAt: toTimestamp(j.createdAt),
    startedAt: j.startedAt ? toTimestamp(j.startedAt) : null,
    finishedAt: j.finishedAt ? toTimestamp(j.finishedAt) : null,
    checkpointOffset: j.checkpointOffset,
    resumeCount: j.resumeCount,
    errorMessage: j.errorMessage,
  };
}

/** Page tokens are the sequence number of the last item shown. */
export function pageAfter(token: string | undefined, field = 'pageToken'): number | undefined {
  if (!token) return undefined;
  if (!/^\d{1,18}$/.test(token)) throw new ValidationError([{ field, message: 'is not a token this service issued' }]);
  return Number(token);
}

export function pageSize(value: number | undefined, def: number, max: number, field = 'pageSize'): number {
  if (!value) return def;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError([{ field, message: `must be between 1 and ${max}` }]);
  }
  return value;
}
