import { Injectable } from '@nestjs/common';
import { ValidationError } from '@app/platform/errors';
import { cleanRecord, RecordKind } from '../domain';
import {
  QuarantinedRecord,
  QuarantineFilter,
  QuarantineRepository,
  QuarantineState,
} from '../infra/quarantine.repository';
import { IngestService, IngestSummary, RecordOutcome } from './ingest.service';

export interface ReplayRequest {
  ids: string[];
  filter: Pick<QuarantineFilter, 'kind' | 'reasonCode'>;
  /** Quarantine id → corrected record (JSON text). */
  corrections: Map<string, string>;
  dryRun: boolean;
  discardFailures: boolean;
}

export interface ReplayOutcome {
  summary: IngestSummary;
  results: RecordOutcome[];
  ids: string[];
}

/** Most records one replay call takes up when selecting by filter. */
export const REPLAY_LIMIT = 1000;

/**
 * Quarantine: records that failed validation or a rule wait here with their reasons; after a fix (of
 * the data, a correction, or the service's configuration) a replay runs them through the normal
 * ingestion path again. The entry keeps its id; its state says what became of it.
 */
@Injectable()
export class QuarantineService {
  constructor(
    private readonly repository: QuarantineRepository,
    private readonly ingest: IngestService,
  ) {}

  list(filter: QuarantineFilter, page: { size: number; after?: number }) {
    return this.repository.list(filter, page);
  }

  async replay(request: ReplayRequest): Promise<ReplayOutcome> {
    if (request.ids.length > REPLAY_LIMIT) {
      throw new ValidationError([{ field: 'quarantineIds', message: `at most ${REPLAY_LIMIT} per call` }]);
    }
    const selected = await this.select(request);
    const missing = request.ids.filter((id) => !selected.some((r) => r.id === id));
    if (missing.length > 0) {
      throw new ValidationError([
        { field: 'quarantineIds', message: `unknown quarantine ids: ${missing.slice(0, 5).join(', ')}` },
      ]);
    }
    const unknownCorrections = [...request.corrections.keys()].filter((id) => !selected.some((r) => r.id === id));
    if (unknownCorrections.length > 0) {
      throw new ValidationError([
        {
          field: 'corrections',
          message: `corrections for records not being replayed: ${unknownCorrections.slice(0, 5).join(', ')}`,
        },
      ]);
    }
    const payloads = selected.map((r) => request.corrections.get(r.id) ?? r.payload);
    const parsed = payloads.map((text, n) => parseCorrection(text, n));

    const results: RecordOutcome[] = new Array(selected.length);
    const byKind = new Map<RecordKind, number[]>();
    selected.forEach((r, n) => byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), n]));
    for (const [kind, positions] of byKind) {
      const inputs = positions.map((n) => parsed[n]);
      if (request.dryRun) {
        const ctx = this.ingest.cleaningContext(new Date());
        positions.forEach((n, j) => {
          const r = cleanRecord(kind, inputs[j], ctx);
          results[n] = r.ok
            ? { index: n, key: r.key, status: 'accepted', errors: [], flags: [...r.flags] }
            : { index: n, key: '', status: 'quarantined', errors: r.errors, quarantineId: selected[n].id, flags: [] };
        });
        continue;
      }
      // Sources may differ within a kind; the first one names the batch (provenance is informational).
      const outcome = await this.ingest.ingest(kind, inputs, {
        source: selected[positions[0]].source,
        endpoint: 'ReplayQuarantinedRecords',
        botRule: false,
        requarantine: false,
        inTransaction: async (tx, [out]) => {
          const updates = positions.map((n, j) => {
            const r = out.results[j];
            const failed = r.status === 'quarantined';
            const state: QuarantineState = failed ? (request.discardFailures ? 'discarded' : 'pending') : 'replayed';
            return {
              id: selected[n].id,
              state,
              payload: payloads[n],
              reasons: failed ? r.errors : selected[n].reasons,
            };
          });
          await this.repository.recordReplay(tx, updates);
        },
      });
      positions.forEach((n, j) => {
        const r = outcome.results[j];
        results[n] = { ...r, index: n, quarantineId: r.status === 'quarantined' ? selected[n].id : undefined };
      });
    }
    const summary: IngestSummary = { received: results.length, accepted: 0, duplicates: 0, quarantined: 0 };
    for (const r of results) {
      if (r.status === 'accepted') summary.accepted += 1;
      else if (r.status === 'duplicate') summary.duplicates += 1;
      else summary.quarantined += 1;
    }
    return { summary, results, ids: selected.map((r) => r.id) };
  }

  private select(request: ReplayRequest): Promise<QuarantinedRecord[]> {
    if (request.ids.length > 0) return this.repository.find(request.ids);
    return this.repository.list({ ...request.filter, state: 'pending' }, { size: REPLAY_LIMIT }).then((p) => p.records);
  }
}

function parseCorrection(text: string, n: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError([{ field: `corrections[${n}].payloadJson`, message: 'is not valid JSON' }]);
  }
}
