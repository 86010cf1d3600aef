import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform/config';
import { ConflictError, NotFoundError, ValidationError } from '@app/platform/errors';
import { RecordKind } from '../domain';
import { IngestionConfig } from '../ingestion.config';
import { ImportBatch, ImportFormat, readImportBatches } from '../infra/import';
import {
  ImportCounts,
  ImportJob,
  ImportJobOptions,
  ImportJobRepository,
  ImportJobState,
} from '../infra/import-job.repository';
import { IngestService } from './ingest.service';

export interface StartImport {
  jobId?: string;
  format: ImportFormat;
  kind?: RecordKind;
  sourceUri: string;
  columnMapping?: Record<string, string>;
  defaultStoreId?: string;
  /** Zone of the file's times when they have no offset (Online Retail: Europe/London). */
  timeZone?: string;
}

export interface ImportProgressEvent {
  job: ImportJob;
  bytesRead: number;
  fileSize: number;
  counts: ImportCounts;
  elapsedMs: number;
}

/** Kinds in the order they are stored within a batch: catalogue first, so items are not "registered on the fly". */
const KIND_ORDER: readonly RecordKind[] = [
  'item',
  'user',
  'supply_parameters',
  'stock_position',
  'sales_line',
  'interaction',
];

const FILE_TIME_ZONES: Partial<Record<ImportFormat, string>> = { 'online-retail': 'Europe/London' };
const MALFORMED_KIND: Partial<Record<ImportFormat, RecordKind>> = {
  'online-retail': 'sales_line',
  movielens: 'interaction',
};

class JobStopped extends Error {}

/**
 * Bulk imports: a job reads its file in batches; each batch's records, its quarantined rows and the
 * job's checkpoint (byte offset, row, counts) commit in one transaction. A crash or a cancel therefore
 * resumes exactly after the last committed batch: nothing lost, nothing stored twice.
 */
@Injectable()
export class ImportService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Import');
  private readonly running = new Map<string, { abort: AbortController; done: Promise<ImportJob> }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
    private readonly jobs: ImportJobRepository,
    private readonly ingest: IngestService,
  ) {}

  /** Starts a job in the background (or resumes it from its checkpoint) and returns it at once. */
  async start(request: StartImport, onProgress?: (p: ImportProgressEvent) => void): Promise<ImportJob> {
    const { job, done } = await this.launch(request, onProgress);
    void done;
    return job;
  }

  /** Starts or resumes a job and waits for it to end (the CLI). */
  async run(request: StartImport, onProgress?: (p: ImportProgressEvent) => void): Promise<ImportJob> {
    const { done } = await this.launch(request, onProgress);
    return done;
  }

  async get(jobId: string): Promise<ImportJob> {
    const job = await this.jobs.find(jobId);
    if (!job) throw new NotFoundError('IMPORT_JOB.NOT_FOUND', `No import job ${jobId}`);
    return job;
  }

  list(state: ImportJobState | undefined, page: { size: number; after?: number }) {
    return this.jobs.list(state, page);
  }

  /** Stops a job; it keeps its checkpoint and resumes with `start`. */
  async cancel(jobId: string): Promise<ImportJob> {
    await this.get(jobId);
    const cancelled = await this.jobs.finish(jobId, 'cancelled');
    const local = this.running.get(jobId);
    if (local) {
      local.abort.abort();
      await local.done.catch(() => undefined);
    }
    return cancelled ?? this.get(jobId);
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const [jobId, { abort, done }] of this.running) {
      abort.abort();
      await done.catch(() => undefined);
      await this.jobs.finish(jobId, 'failed', 'interrupted by a shutdown; start the job again to resume');
    }
  }

  private async launch(request: StartImport, onProgress?: (p: ImportProgressEvent) => void) {
    const path = await this.checkRequest(request);
    const jobId = request.jobId?.trim() || randomUUID();
    const local = this.running.get(jobId);
    if (local) return { job: await this.get(jobId), done: local.done };
    // Held for the whole run: a job whose process died can be resumed at once, a live one is refused.
    const lock = await this.jobs.lock(jobId);
    if (!lock) throw new ConflictError('IMPORT_JOB.RUNNING', `Job ${jobId} is running in another process`);
    let started: ImportJob;
    try {
      let job = await this.jobs.find(jobId);
      if (job && (job.format !== request.format || job.sourceUri !== request.sourceUri)) {
        throw new ConflictError(
          'IMPORT_JOB.MISMATCH',
          `Job ${jobId} imports ${job.format} from ${job.sourceUri}; use another job id`,
        );
      }
      if (job?.state === 'succeeded') {
        await lock.release();
        return { job, done: Promise.resolve(job) };
      }
      const resumed = job !== undefined && job.state !== 'pending';
      job ??= await this.jobs.create({
        jobId,
        format: request.format,
        kind: request.kind,
        sourceUri: request.sourceUri,
        options: jobOptions(request),
      });
      const marked = await this.jobs.markRunning(jobId, resumed);
      if (!marked) throw new ConflictError('IMPORT_JOB.RUNNING', `Job ${jobId} finished meanwhile`);
      started = marked;
    } catch (err) {
      await lock.release();
      throw err;
    }
    const abort = new AbortController();
    const done = this.execute(started, path, abort.signal, onProgress).finally(async () => {
      this.running.delete(jobId);
      await lock.release();
    });
    this.running.set(jobId, { abort, done });
    return { job: started, done };
  }

  private async execute(
    job: ImportJob,
    path: string,
    signal: AbortSignal,
    onProgress?: (p: ImportProgressEvent) => void,
  ): Promise<ImportJob> {
    const began = Date.now();
    let counts = job.counts;
    let rowsThisRun = 0;
    this.logger.log(`import ${job.jobId} (${job.format}) from row ${job.checkpointRow}, byte ${job.checkpointOffset}`);
    try {
      const batches = readImportBatches({
        format: job.format,
        path,
        startOffset: job.checkpointOffset,
        startRow: job.checkpointRow,
        batchRows: this.config.INGESTION_IMPORT_BATCH_ROWS,
        kind: job.kind,
        columnMapping: job.options.columnMapping,
        defaultStoreId: job.options.defaultStoreId,
      });
      for await (const batch of batches) {
        if (signal.aborted) throw new JobStopped();
        const row = job.checkpointRow + rowsThisRun + batch.rowsRead;
        const next = await this.store(
          job,
          batch,
          counts,
          row,
          (rowsThisRun + batch.rowsRead) / Math.max((Date.now() - began) / 1000, 0.001),
        );
        counts = next;
        rowsThisRun += batch.rowsRead;
        onProgress?.({
          job,
          bytesRead: batch.bytesRead,
          fileSize: batch.fileSize,
          counts,
          elapsedMs: Date.now() - began,
        });
      }
      const finished = await this.jobs.finish(job.jobId, 'succeeded');
      this.logger.log(`import ${job.jobId} succeeded: ${JSON.stringify(counts)}`);
      return finished ?? (await this.get(job.jobId));
    } catch (err) {
      if (err instanceof JobStopped || signal.aborted) return this.get(job.jobId);
      const message = (err as Error).message;
      this.logger.error(`import ${job.jobId} failed at row ${job.checkpointRow + rowsThisRun}: ${message}`);
      return (await this.jobs.finish(job.jobId, 'failed', message)) ?? (await this.get(job.jobId));
    }
  }

  /** One batch: its records by kind, its malformed rows and the checkpoint, in one transaction. */
  private async store(
    job: ImportJob,
    batch: ImportBatch,
    before: ImportCounts,
    row: number,
    unitsPerSecond: number,
  ): Promise<ImportCounts> {
    const groups = KIND_ORDER.map((kind) => ({
      kind,
      inputs: batch.records.filter((r) => r.kind === kind).map((r) => r.record),
    })).filter((g) => g.inputs.length > 0);
    const skipped = Object.values(batch.skipped).reduce((a, b) => a + b, 0);
    const skippedByReason = { ...before.skippedByReason };
    for (const [reason, n] of Object.entries(batch.skipped))
      skippedByReason[reason] = (skippedByReason[reason] ?? 0) + n;
    let after = before;
    await this.ingest.ingestGroups(groups, {
      source: 'import',
      endpoint: 'import',
      importJobId: job.jobId,
      defaultTimeZone: job.options.timeZone,
      inTransaction: async (tx, outcomes) => {
        const malformedKind = job.kind ?? MALFORMED_KIND[job.format] ?? 'interaction';
        await tx.quarantine(
          batch.malformed.map((m) => ({
            id: randomUUID(),
            kind: malformedKind,
            payload: JSON.stringify({ row: m.row, line: m.line }),
            reasons: [{ field: '', code: `ROW.${m.code}`, message: m.message }],
          })),
          { source: 'import', importJobId: job.jobId },
        );
        const sum = (pick: (s: { accepted: number; duplicates: number; quarantined: number }) => number) =>
          outcomes.reduce((a, o) => a + pick(o.summary), 0);
        after = {
          rowsRead: before.rowsRead + batch.rowsRead,
          accepted: before.accepted + sum((s) => s.accepted),
          duplicates: before.duplicates + sum((s) => s.duplicates),
          quarantined: before.quarantined + sum((s) => s.quarantined) + batch.malformed.length,
          skipped: before.skipped + skipped,
          skippedByReason,
          returns: before.returns + batch.returns,
          anonymousRows: before.anonymousRows + batch.anonymousRows,
        };
        const moved = await this.jobs.checkpoint(tx, job.jobId, job.resumeCount, {
          offset: batch.endOffset,
          row,
          bytesRead: batch.bytesRead,
          fileSize: batch.fileSize,
          counts: after,
          unitsPerSecond,
        });
        if (!moved) throw new JobStopped();
      },
    });
    return after;
  }

  /** The file must exist and be readable; returns its path. */
  private async checkRequest(request: StartImport): Promise<string> {
    if ((request.format === 'csv' || request.format === 'ndjson') && !request.kind) {
      throw new ValidationError([{ field: 'kind', message: `is required for ${request.format} files` }]);
    }
    let path = request.sourceUri.trim();
    if (path === '') throw new ValidationError([{ field: 'sourceUri', message: 'is required' }]);
    if (path.startsWith('file:')) {
      try {
        path = fileURLToPath(path);
      } catch {
        throw new ValidationError([{ field: 'sourceUri', message: 'is not a valid file:// URL' }]);
      }
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
      throw new ValidationError([
        { field: 'sourceUri', message: 'only local files (a path or file:// URL) can be imported' },
      ]);
    }
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new ValidationError([{ field: 'sourceUri', message: `no readable file at ${path}` }]);
    return path;
  }
}

function jobOptions(request: StartImport): ImportJobOptions {
  return {
    columnMapping:
      request.columnMapping && Object.keys(request.columnMapping).length > 0 ? request.columnMapping : undefined,
    defaultStoreId: request.defaultStoreId || undefined,
    timeZone: request.timeZone || FILE_TIME_ZONES[request.format],
  };
}
