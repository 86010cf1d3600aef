import { Inject, Injectable } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import { APP_CONFIG } from '@app/platform/config';
import { ValidationError } from '@app/platform/errors';
import { cleanRecord, CleanedRecord, CleaningContext, RecordError, RecordKind } from '../domain';
import { IngestionConfig, parseTaxRates } from '../ingestion.config';
import { EventLogPublisher } from '../infra/event-log.publisher';
import { IngestionMetrics, RecordStatus } from '../infra/ingestion.metrics';
import {
  IngestTransaction,
  LogEntry,
  Provenance,
  QuarantineEntry,
  RecordRepository,
  RecordSource,
} from '../infra/record.repository';
import { BotEvent, BotRule } from './bot-rule';
import { KnownEntitiesCache } from './known-entities.cache';

export type OutcomeFlag = 'TIME_NORMALISED' | 'ID_NORMALISED' | 'UNKNOWN_USER_REGISTERED' | 'UNKNOWN_ITEM_REGISTERED';

/** What happened to one submitted record. */
export interface RecordOutcome {
  index: number;
  /** Idempotency key (empty when the record could not be read far enough to have one). */
  key: string;
  status: RecordStatus;
  errors: RecordError[];
  quarantineId?: string;
  flags: OutcomeFlag[];
}

export interface IngestSummary {
  received: number;
  accepted: number;
  duplicates: number;
  quarantined: number;
}

export interface IngestOutcome {
  summary: IngestSummary;
  results: RecordOutcome[];
}

export interface IngestOptions {
  source: RecordSource;
  /** For metrics, e.g. `grpc.IngestInteractions`. */
  endpoint: string;
  importJobId?: string;
  /** Zone of times without offset, when it differs from the service default (imports of local-time files). */
  defaultTimeZone?: string;
  /** Index of the first record (streams and imports number records across messages). */
  firstIndex?: number;
  /** Apply the bot rule (default: to interactions not from imports, see INGESTION_BOT_RULE_ON_IMPORTS). */
  botRule?: boolean;
  /** Store failures in quarantine (default); replays keep their existing entries instead. */
  requarantine?: boolean;
  /** Extra writes in the same transaction, after the records: checkpoints, quarantine bookkeeping. */
  inTransaction?: (tx: IngestTransaction, outcomes: IngestOutcome[]) => Promise<void>;
}

const BOT_ERROR: RecordError = {
  field: 'userId',
  code: 'BOT.RATE_EXCEEDED',
  message: 'more interactions from this user or session within one second than the bot rule allows',
};

/**
 * The one ingestion path for every interface (REST, gRPC, NATS, imports, quarantine replays): clean,
 * apply the bot rule, de-duplicate, register unknown users and items, then in one transaction append
 * accepted records to the log (which the publisher sends to JetStream) and quarantine the rest.
 */
@Injectable()
export class IngestService {
  private readonly bot: BotRule;
  private readonly known = new KnownEntitiesCache();
  private readonly taxRates: Record<string, number>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
    private readonly repository: RecordRepository,
    private readonly publisher: EventLogPublisher,
    private readonly metrics: IngestionMetrics,
  ) {
    this.bot = new BotRule(config.INGESTION_BOT_MAX_EVENTS_PER_SECOND);
    this.taxRates = parseTaxRates(config.INGESTION_TAX_RATES);
  }

  get maxBatchSize(): number {
    return this.config.INGESTION_MAX_BATCH_SIZE;
  }

  /** Refuses a request as a whole: `field` must be a list of at most the configured batch size. */
  checkBatch(field: string, records: unknown, endpoint: string): unknown[] {
    if (!Array.isArray(records)) {
      this.metrics.recordRejected(endpoint, 'REQUEST.INVALID');
      throw new ValidationError([{ field, message: 'is required and must be a list of records' }]);
    }
    if (records.length > this.maxBatchSize) {
      this.metrics.recordRejected(endpoint, 'BATCH.TOO_LARGE');
      throw new ValidationError(
        [{ field, message: `holds ${records.length} records; at most ${this.maxBatchSize} per batch` }],
        'BATCH.TOO_LARGE',
      );
    }
    return records;
  }

  cleaningContext(receivedAt: Date, defaultTimeZone?: string): CleaningContext {
    return {
      receivedAt,
      maxClockSkewMs: this.config.INGESTION_MAX_CLOCK_SKEW_SECONDS * 1000,
      earliestTime: new Date(this.config.INGESTION_EARLIEST_TIME),
      defaultTimeZone: defaultTimeZone ?? this.config.INGESTION_DEFAULT_TIME_ZONE,
      taxRates: this.taxRates,
    };
  }

  async ingest(kind: RecordKind, inputs: readonly unknown[], options: IngestOptions): Promise<IngestOutcome> {
    const [outcome] = await this.ingestGroups([{ kind, inputs }], options);
    return outcome;
  }

  /**
   * Several kinds in one transaction (an import batch yields items, sales lines and interactions).
   * Catalogue kinds should come first, so their items are not flagged as registered on the fly.
   */
  async ingestGroups(
    groups: readonly { kind: RecordKind; inputs: readonly unknown[] }[],
    options: IngestOptions,
  ): Promise<IngestOutcome[]> {
    const started = performance.now();
    const ctx = this.cleaningContext(new Date(), options.defaultTimeZone);
    const prepared = groups.map((g) => this.prepare(g.kind, g.inputs, ctx, options));
    const registered = { users: new Set<string>(), items: new Set<string>() };
    try {
      await this.repository.transaction(async (tx) => {
        const origin = provenance(options);
        for (const group of prepared) await this.write(tx, group, registered, origin, options.requarantine ?? true);
        await options.inTransaction?.(
          tx,
          prepared.map((g) => g.outcome),
        );
      });
    } catch (err) {
      this.metrics.recordRejected(options.endpoint, 'STORE.FAILED');
      throw err;
    }
    this.known.addAll('user', registered.users);
    this.known.addAll('item', registered.items);
    const seconds = (performance.now() - started) / 1000;
    for (const g of prepared) {
      const accepted = g.botEvents.filter((_, n) => g.outcome.results[g.candidates[n].i].status === 'accepted');
      if (accepted.length > 0) this.bot.commit(accepted);
      this.metrics.recordBatch(options.endpoint, g.kind, options.source, g.outcome.summary, seconds / prepared.length);
    }
    if (prepared.some((g) => g.outcome.summary.accepted > 0)) this.publisher.nudge();
    return prepared.map((g) => g.outcome);
  }

  /** Cleaning, in-batch de-duplication and the bot rule: everything before the database. */
  private prepare(
    kind: RecordKind,
    inputs: readonly unknown[],
    ctx: CleaningContext,
    options: IngestOptions,
  ): Prepared {
    const first = options.firstIndex ?? 0;
    const results = new Array<RecordOutcome>(inputs.length);
    const quarantined: QuarantineEntry[] = [];
    const quarantine = (i: number, errors: RecordError[], key = '') => {
      const entry = { id: this.repository.newQuarantineId(), kind, payload: safeJson(inputs[i]), reasons: errors };
      quarantined.push(entry);
      results[i] = { index: first + i, key, status: 'quarantined', errors, quarantineId: entry.id, flags: [] };
    };

    let candidates: Candidate[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < inputs.length; i += 1) {
      const record = cleanRecord(kind, inputs[i], ctx);
      if (!record.ok) quarantine(i, record.errors);
      else if (seen.has(record.key)) results[i] = outcome(first + i, record.key, 'duplicate');
      else {
        seen.add(record.key);
        candidates.push({ i, record });
      }
    }

    const botEvents: BotEvent[] = [];
    const botRule = options.botRule ?? (options.source !== 'import' || this.config.INGESTION_BOT_RULE_ON_IMPORTS);
    if (kind === 'interaction' && this.bot.enabled && botRule) {
      const events = candidates.map(({ record }) => botEvent(record));
      const over = this.bot.check(events);
      const kept: Candidate[] = [];
      candidates.forEach((c, n) => {
        if (over[n]) quarantine(c.i, [BOT_ERROR], c.record.key);
        else {
          kept.push(c);
          botEvents.push(events[n]);
        }
      });
      candidates = kept;
    }
    const summary = { received: inputs.length, accepted: 0, duplicates: 0, quarantined: 0 };
    return { kind, inputs, first, candidates, quarantined, botEvents, outcome: { summary, results } };
  }

  /** Registers, appends and quarantines one group inside the batch's transaction. */
  private async write(
    tx: IngestTransaction,
    group: Prepared,
    registered: { users: Set<string>; items: Set<string> },
    origin: Provenance,
    requarantine: boolean,
  ): Promise<void> {
    const { candidates, inputs, first, outcome: result } = group;
    const results = result.results;
    const fresh = await this.register(tx, group.kind, candidates, registered);
    const entries = candidates.map((c) => {
      const { entry, flags } = logEntry(c.record, fresh, inputs[c.i]);
      results[c.i] = outcome(first + c.i, c.record.key, 'accepted', flags);
      return entry;
    });
    const stored = await tx.append(entries, origin);
    for (const c of candidates) {
      const r = results[c.i];
      if (!stored.has(c.record.key)) results[c.i] = outcome(r.index, r.key, 'duplicate');
    }
    if (requarantine) await tx.quarantine(group.quarantined, origin);
    summarise(result);
  }

  /**
   * Registers the users and items these records mention that this process does not know yet; returns
   * the ids that were new to the database and are first mentioned by an interaction, sale or stock record.
   */
  private async register(
    tx: IngestTransaction,
    kind: RecordKind,
    candidates: readonly Candidate[],
    registered: { users: Set<string>; items: Set<string> },
  ): Promise<{ users: Set<string>; items: Set<string> }> {
    const onTheFly = kind !== 'item' && kind !== 'user';
    const users = new Set<string>();
    const items = new Set<string>();
    for (const { record } of candidates) {
      if (record.userId !== undefined && !this.known.has('user', record.userId)) users.add(record.userId);
      for (const id of record.itemIds) if (!this.known.has('item', id)) items.add(id);
    }
    const [newUsers, newItems] = await Promise.all([
      tx.registerEntities('user', [...users], onTheFly),
      tx.registerEntities('item', [...items], onTheFly),
    ]);
    users.forEach((id) => registered.users.add(id));
    items.forEach((id) => registered.items.add(id));
    return onTheFly ? { users: newUsers, items: newItems } : { users: new Set(), items: new Set() };
  }
}

interface Candidate {
  i: number;
  record: CleanedRecord;
}

interface Prepared {
  kind: RecordKind;
  inputs: readonly unknown[];
  first: number;
  candidates: Candidate[];
  quarantined: QuarantineEntry[];
  botEvents: BotEvent[];
  outcome: IngestOutcome;
}

/** The log row of a record; the first record naming a new user or item carries the flag. */
function logEntry(
  record: CleanedRecord,
  fresh: { users: Set<string>; items: Set<string> },
  input: unknown,
): { entry: LogEntry; flags: OutcomeFlag[] } {
  const flags: OutcomeFlag[] = [...record.flags];
  const newUser = record.userId !== undefined && fresh.users.delete(record.userId);
  const [primaryItem, ...otherItems] = record.itemIds;
  const newItem = primaryItem !== undefined && fresh.items.delete(primaryItem);
  for (const id of otherItems) fresh.items.delete(id);
  if (newUser) flags.push('UNKNOWN_USER_REGISTERED');
  if (newItem) flags.push('UNKNOWN_ITEM_REGISTERED');
  if (record.kind === 'interaction') {
    record.event.newUser = newUser;
    record.event.newItem = newItem;
  }
  return {
    entry: {
      kind: record.kind,
      key: record.key,
      subject: record.subject,
      event: JSON.stringify(record.event),
      raw: safeJson(input),
    },
    flags,
  };
}

function outcome(index: number, key: string, status: RecordStatus, flags: OutcomeFlag[] = []): RecordOutcome {
  return { index, key, status, errors: [], flags };
}

function botEvent(record: CleanedRecord): BotEvent {
  const e = record.event as { userId?: string; sessionId?: string; occurredAt: string };
  return {
    subject: e.userId !== undefined ? `u:${e.userId}` : `s:${e.sessionId ?? ''}`,
    atMs: Date.parse(e.occurredAt),
    key: record.key,
  };
}

function summarise(result: IngestOutcome): void {
  const s = result.summary;
  s.accepted = s.duplicates = s.quarantined = 0;
  for (const r of result.results) {
    if (r.status === 'accepted') s.accepted += 1;
    else if (r.status === 'duplicate') s.duplicates += 1;
    else s.quarantined += 1;
  }
}

function provenance(options: IngestOptions): Provenance {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return { source: options.source, importJobId: options.importJobId, traceParent: carrier.traceparent };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value ?? null) ?? 'null';
  } catch {
    return JSON.stringify(String(value));
  }
}
