import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RecordError, RecordKind } from '../domain';
import type { IngestTransaction, RecordSource } from './record.repository';

export type QuarantineState = 'pending' | 'replayed' | 'discarded';

export interface QuarantinedRecord {
  id: string;
  kind: RecordKind;
  /** The record exactly as received, as JSON text. */
  payload: string;
  reasons: RecordError[];
  source: RecordSource;
  importJobId?: string;
  quarantinedAt: Date;
  state: QuarantineState;
  replayAttempts: number;
  lastReplayedAt?: Date;
}

export interface QuarantineFilter {
  kind?: RecordKind;
  reasonCode?: string;
  state?: QuarantineState;
  quarantinedAfter?: Date;
}

interface Row {
  id: string;
  seq: string;
  kind: RecordKind;
  payload: string;
  reasons: RecordError[];
  source: RecordSource;
  import_job_id: string | null;
  quarantined_at: Date;
  state: QuarantineState;
  replay_attempts: number;
  last_replayed_at: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = `id, seq, kind, payload::text AS payload, reasons, source, import_job_id, quarantined_at, state,
  replay_attempts, last_replayed_at`;

function where(filter: QuarantineFilter, params: unknown[]): string[] {
  const clauses: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(sql(`$${params.length}`));
  };
  if (filter.kind) add((p) => `kind = ${p}`, filter.kind);
  if (filter.reasonCode) add((p) => `reason_codes @> ARRAY[${p}::text]`, filter.reasonCode);
  if (filter.state) add((p) => `state = ${p}`, filter.state);
  if (filter.quarantinedAfter) add((p) => `quarantined_at >= ${p}`, filter.quarantinedAfter);
  return clauses;
}

function toRecord(r: Row): QuarantinedRecord {
  return {
    id: r.id,
    kind: r.kind,
    payload: r.payload,
    reasons: r.reasons,
    source: r.source,
    importJobId: r.import_job_id ?? undefined,
    quarantinedAt: r.quarantined_at,
    state: r.state,
    replayAttempts: r.replay_attempts,
    lastReplayedAt: r.last_replayed_at ?? undefined,
  };
}

/** Quarantined records: listed newest first, replayed after a fix. */
@Injectable()
export class QuarantineRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(
    filter: QuarantineFilter,
    page: { size: number; after?: number },
  ): Promise<{ records: QuarantinedRecord[]; next?: number; total: number }> {
    const params: unknown[] = [];
    const clauses = where(filter, params);
    const totalSql = `SELECT count(*) AS n FROM quarantined_record ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''}`;
    const [{ n }] = (await this.dataSource.query(totalSql, params)) as { n: string }[];
    if (page.after !== undefined) {
      params.push(page.after);
      clauses.push(`seq < $${params.length}`);
    }
    params.push(page.size + 1);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM quarantined_record ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''}
        ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    )) as Row[];
    const more = rows.length > page.size;
    const shown = rows.slice(0, page.size);
    return {
      records: shown.map(toRecord),
      next: more ? Number(shown[shown.length - 1].seq) : undefined,
      total: Number(n),
    };
  }

  async find(ids: readonly string[]): Promise<QuarantinedRecord[]> {
    const valid = ids.filter((id) => UUID.test(id));
    if (valid.length === 0) return [];
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM quarantined_record WHERE id = ANY($1::uuid[]) ORDER BY seq`,
      [valid],
    )) as Row[];
    return rows.map(toRecord);
  }

  /** Records the outcome of one replay attempt per record. */
  async recordReplay(
    tx: IngestTransaction,
    updates: readonly { id: string; state: QuarantineState; payload: string; reasons: readonly RecordError[] }[],
  ): Promise<void> {
    if (updates.length === 0) return;
    await tx.manager.query(
      `UPDATE quarantined_record q
          SET state = u.state, payload = u.payload, reasons = u.reasons,
              reason_codes = ARRAY(SELECT DISTINCT jsonb_array_elements(u.reasons) ->> 'code'),
              replay_attempts = q.replay_attempts + 1, last_replayed_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::json[], $4::jsonb[]) AS u(id, state, payload, reasons)
        WHERE q.id = u.id`,
      [
        updates.map((u) => u.id),
        updates.map((u) => u.state),
        updates.map((u) => u.payload),
        updates.map((u) => JSON.stringify(u.reasons)),
      ],
    );
  }
}
