import { Injectable } from '@nestjs/common';
import { ValidationError } from '@app/platform/errors';
import { createHash } from 'node:crypto';
import { InteractionFact, InteractionTypeName, ItemFact, subjectOf } from '../domain';
import { FeatureRepository, TrainingFilter } from '../infra/feature.repository';

export const DEFAULT_TRAINING_BATCH = 5000;
export const MAX_TRAINING_BATCH = 50_000;
const ITEM_BATCH = 1000;

export interface TrainingSetRequest {
  asOf?: Date;
  windowStart?: Date;
  weights: readonly { type: InteractionTypeName; weight: number }[];
  includeSessions: boolean;
  includeItems: boolean;
  batchSize?: number;
  resumeToken?: string;
}

export interface TrainingRow {
  userId: string;
  fact: InteractionFact;
  weight: number;
}

export type TrainingPart =
  | {
      header: {
        asOf: Date;
        windowStart?: Date;
        weights: { type: InteractionTypeName; weight: number }[];
        interactionCount: number;
        userCount: number;
        itemCount: number;
        snapshotId: string;
      };
    }
  | { interactions: TrainingRow[]; resumeToken: string }
  | { items: ItemFact[] }
  | { trailer: { interactionCount: number; itemCount: number; checksum: string } };

interface Token {
  /** Request fingerprint: a token only resumes the request it came from. */
  h: string;
  /** Snapshot: stream sequence bound. */
  m: number;
  /** Position: last row's time (ms) and sequence. */
  a: number;
  s: number;
}

/** The line a row contributes to the trailer's SHA-256 (documented in the proto). */
export function checksumLine(r: TrainingRow): string {
  const f = r.fact;
  return `${r.userId}\t${f.itemId}\t${f.type}\t${r.weight}\t${new Date(f.at).toISOString()}\t${f.rating ?? ''}\t${f.quantity}\n`;
}

/**
 * Point-in-time training data: interactions that happened in [window_start, as_of), in (time, stream)
 * order, restricted to what the store held when the snapshot was first taken (a stream-sequence bound
 * carried in the resume token), so a resumed read returns exactly the rows an uninterrupted one would.
 */
@Injectable()
export class TrainingSetService {
  constructor(private readonly repo: FeatureRepository) {}

  async *stream(r: TrainingSetRequest): AsyncGenerator<TrainingPart> {
    const { filter, weights, batchSize, fingerprint } = this.validate(r);
    const token = r.resumeToken ? decodeToken(r.resumeToken, fingerprint) : undefined;
    const summary = await this.repo.trainingSummary({ ...filter, maxSeq: token?.m });
    const maxSeq = token?.m ?? summary.maxSeq;
    const snapshot: TrainingFilter = { ...filter, maxSeq };
    const weightOf = new Map(weights.map((w) => [w.type, w.weight]));
    const snapshotId = createHash('sha256')
      .update(JSON.stringify([fingerprint, summary.rows, maxSeq]))
      .digest('hex')
      .slice(0, 32);
    yield {
      header: {
        asOf: filter.asOf,
        windowStart: filter.windowStart,
        weights,
        interactionCount: summary.rows,
        userCount: summary.users,
        itemCount: summary.items,
        snapshotId,
      },
    };
    const hash = createHash('sha256');
    const toRow = (fact: InteractionFact): TrainingRow => ({
      userId: subjectOf(fact),
      fact,
      weight: weightOf.size === 0 ? 1 : weightOf.get(fact.type)!,
    });
    let after: { at: Date; seq: number } | undefined;
    // Resuming: re-read (not re-send) the rows before the resume point, for the snapshot's checksum.
    if (token) {
      for (;;) {
        const page = await this.repo.trainingPage(snapshot, after, MAX_TRAINING_BATCH);
        const upTo = page.filter((f) => f.at < token.a || (f.at === token.a && f.seq <= token.s));
        for (const f of upTo) hash.update(checksumLine(toRow(f)));
        if (upTo.length < page.length || page.length < MAX_TRAINING_BATCH) break;
        const lastFact = page[page.length - 1];
        after = { at: new Date(lastFact.at), seq: lastFact.seq };
      }
      after = { at: new Date(token.a), seq: token.s };
    }
    let sent = 0;
    for (;;) {
      const page = await this.repo.trainingPage(snapshot, after, batchSize);
      if (page.length === 0) break;
      const rows = page.map(toRow);
      for (const row of rows) hash.update(checksumLine(row));
      const last = page[page.length - 1];
      after = { at: new Date(last.at), seq: last.seq };
      sent += rows.length;
      yield { interactions: rows, resumeToken: encodeToken({ h: fingerprint, m: maxSeq, a: last.at, s: last.seq }) };
      if (page.length < batchSize) break;
    }
    let itemCount = 0;
    if (r.includeItems) {
      const ids = await this.repo.trainingItemIds(snapshot);
      for (let i = 0; i < ids.length; i += ITEM_BATCH) {
        const items = await this.repo.itemsAsOf(ids.slice(i, i + ITEM_BATCH), filter.asOf);
        itemCount += items.length;
        if (items.length) yield { items };
      }
    }
    yield { trailer: { interactionCount: sent, itemCount, checksum: hash.digest('hex') } };
  }

  private validate(r: TrainingSetRequest) {
    const violations: { field: string; message: string }[] = [];
    if (!r.asOf) violations.push({ field: 'as_of', message: 'is required' });
    if (r.asOf && r.windowStart && r.windowStart >= r.asOf) {
      violations.push({ field: 'window_start', message: 'must be before as_of' });
    }
    const seen = new Set<string>();
    r.weights.forEach((w, i) => {
      if (!w.type) violations.push({ field: `weights[${i}].type`, message: 'must be an interaction type' });
      else if (seen.has(w.type)) violations.push({ field: `weights[${i}].type`, message: `${w.type} is listed twice` });
      seen.add(w.type);
      if (!Number.isFinite(w.weight) || w.weight <= 0) {
        violations.push({ field: `weights[${i}].weight`, message: 'must be a positive number' });
      }
    });
    const batchSize = r.batchSize || DEFAULT_TRAINING_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_TRAINING_BATCH) {
      violations.push({ field: 'batch_size', message: `must be from 1 to ${MAX_TRAINING_BATCH}` });
    }
    if (violations.length) throw new ValidationError(violations);
    const weights = r.weights.map((w) => ({ type: w.type, weight: w.weight }));
    const filter: TrainingFilter = {
      asOf: r.asOf!,
      windowStart: r.windowStart,
      types: weights.map((w) => w.type),
      includeSessions: r.includeSessions,
    };
    const fingerprint = createHash('sha256')
      .update(
        JSON.stringify([
          r.asOf!.toISOString(),
          r.windowStart?.toISOString() ?? null,
          [...weights].sort((a, b) => a.type.localeCompare(b.type)),
          r.includeSessions,
        ]),
      )
      .digest('hex')
      .slice(0, 16);
    return { filter, weights, batchSize, fingerprint };
  }
}

function encodeToken(t: Token): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(s: string, fingerprint: string): Token {
  let t: Token | undefined;
  try {
    t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Token;
  } catch {
    t = undefined;
  }
  if (!t || typeof t.m !== 'number' || typeof t.a !== 'number' || typeof t.s !== 'number') {
    throw new ValidationError([{ field: 'resume_token', message: 'is not a token this service issued' }]);
  }
  if (t.h !== fingerprint) {
    throw new ValidationError([
      { field: 'resume_token', message: 'belongs to a different request (as_of, window, weights)' },
    ]);
  }
  return t;
}
