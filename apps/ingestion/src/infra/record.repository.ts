import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { RecordError, RecordKind } from '../domain';

export type RecordSource = 'grpc' | 'rest' | 'nats' | 'import';
export type EntityKind = 'user' | 'item';

/** An accepted record as it is appended to the log (and later published as it is). */
export interface LogEntry {
  kind: RecordKind;
  key: string;
  subject: string;
  /** The cleaned event, serialised once: this exact text is published. */
  event: string;
  /** The record as received. */
  raw: string;
}

export interface QuarantineEntry {
  id: string;
  kind: RecordKind;
  payload: string;
  reasons: readonly RecordError[];
}

export interface Provenance {
  source: RecordSource;
  importJobId?: string;
  traceParent?: string;
}

const ENTITY_CODE: Record<EntityKind, string> = { user: 'u', item: 'i' };

/** `[{"k":…,"key":…,"s":…,"e":<event JSON>,"r":<raw JSON>}, …]`; event and raw are valid JSON already. */
function logDocument(entries: readonly LogEntry[]): string {
  const parts = new Array<string>(entries.length);
  for (let i = 0; i < entries.length; i += 1) {
    const e = entries[i];
    parts[i] =
      `{"k":${JSON.stringify(e.kind)},"key":${JSON.stringify(e.key)},"s":${JSON.stringify(e.subject)},"e":${e.event},"r":${e.raw}}`;
  }
  return `[${parts.join(',')}]`;
}

/** Writes of one ingestion transaction: all or nothing. */
export class IngestTransaction {
  constructor(readonly manager: EntityManager) {}

  /**
   * Registers users or items not seen before and returns those that were new. `onTheFly`: first seen
   * in an interaction or a sale (flagged), rather than through the catalogue.
   */
  async registerEntities(kind: EntityKind, ids: readonly string[], onTheFly: boolean): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = (await this.manager.query(
      `INSERT INTO known_entity (kind, id, registered_on_the_fly)
       SELECT $1, id, $3 FROM unnest($2::text[]) AS id
       ON CONFLICT DO NOTHING RETURNING id`,
      [ENTITY_CODE[kind], ids, onTheFly],
    )) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Appends the entries whose key is new; returns the keys that were stored (the others are duplicates).
   * The rows travel as one JSON document whose `e` and `r` members are the event and raw texts spliced
   * in as they are: nothing is escaped twice, and `json` keeps their text exactly (it is what gets published).
   */
  async append(entries: readonly LogEntry[], provenance: Provenance): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    const rows = (await this.manager.query(
      `INSERT INTO ingested_record (kind, record_key, subject, event, raw, source, import_job_id, trace_parent)
       SELECT t.k, t.key, t.s, t.e, t.r, $2, $3, $4
         FROM json_to_recordset($1::json) AS t(k text, key text, s text, e json, r json)
       ON CONFLICT DO NOTHING RETURNING record_key`,
      [logDocument(entries), provenance.source, provenance.importJobId ?? null, provenance.traceParent ?? null],
    )) as { record_key: string }[];
    return new Set(rows.map((r) => r.record_key));
  }

  async quarantine(entries: readonly QuarantineEntry[], provenance: Provenance): Promise<void> {
    if (entries.length === 0) return;
    await this.manager.query(
      `INSERT INTO quarantined_record (id, kind, payload, reasons, reason_codes, source, import_job_id)
       SELECT id, k, p, r, ARRAY(SELECT DISTINCT jsonb_array_elements(r) ->> 'code'), $5, $6
         FROM unnest($1::uuid[], $2::text[], $3::json[], $4::jsonb[]) AS t(id, k, p, r)`,
      [
        entries.map((e) => e.id),
        entries.map((e) => e.kind),
        entries.map((e) => e.payload),
        entries.map((e) => JSON.stringify(e.reasons)),
        provenance.source,
        provenance.importJobId ?? null,
      ],
    );
  }
}

/** The ingestion database's write path: one transaction per batch. */
@Injectable()
export class RecordRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (tx: IngestTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(new IngestTransaction(manager)));
  }

  newQuarantineId(): string {
    return randomUUID();
  }

  /** Totals since the log began, for the stats endpoint. */
  async totals(): Promise<{ records: number; quarantinedPending: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT (SELECT coalesce(max(seq), 0) FROM ingested_record) AS records,
              (SELECT count(*) FROM quarantined_record WHERE state = 'pending') AS pending`,
    )) as { records: string; pending: string }[];
    return { records: Number(row?.records ?? 0), quarantinedPending: Number(row?.pending ?? 0) };
  }
}
