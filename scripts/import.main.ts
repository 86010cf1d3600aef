/*
 * Bulk import into the ingestion service's database, with the same cleaning, quarantine and
 * de-duplication as its APIs, published to JetStream by the same publisher:
 *   npm run import -- --format <online-retail|movielens|csv|ndjson> --file <path> [options]
 * Reads the service's variables (DATABASE_URL, NATS_URL, NATS_NAMESPACE, …). Running the same command
 * again after a crash or Ctrl-C resumes the job from its last checkpoint.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { ImportProgressEvent, ImportService, StartImport } from '../apps/ingestion/src/application/import.service';
import { RECORD_KINDS, RecordKind } from '../apps/ingestion/src/domain';
import { IngestionModule } from '../apps/ingestion/src/ingestion.module';
import { EventLogPublisher } from '../apps/ingestion/src/infra/event-log.publisher';
import { IMPORT_FORMATS, ImportFormat, renderProgress } from '../apps/ingestion/src/infra/import';
import { ImportJob } from '../apps/ingestion/src/infra/import-job.repository';

const USAGE = `usage: npm run import -- --format <${IMPORT_FORMATS.join('|')}> --file <path> [options]
  --kind <${RECORD_KINDS.join('|')}>   record kind of a csv or ndjson file
  --job-id <id>          job id (default: derived from format and file, so a rerun resumes)
  --store <id>           store id of Online Retail sales lines (default: online)
  --time-zone <zone>     zone of times without offset (Online Retail default: Europe/London)
  --column <field=col>   csv: read a field from a differently named column (repeatable)
  --no-wait              do not wait for JetStream to acknowledge everything before exiting`;

class UsageError extends Error {}

export function parseImportArgs(argv: string[]): StartImport & { wait: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      format: { type: 'string' },
      file: { type: 'string' },
      kind: { type: 'string' },
      'job-id': { type: 'string' },
      store: { type: 'string' },
      'time-zone': { type: 'string' },
      column: { type: 'string', multiple: true },
      'no-wait': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new UsageError('');
  const format = values.format as ImportFormat | undefined;
  if (!format || !IMPORT_FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${IMPORT_FORMATS.join(', ')}`);
  if (!values.file) throw new UsageError('--file is required');
  const kind = values.kind as RecordKind | undefined;
  if (kind !== undefined && !RECORD_KINDS.includes(kind))
    throw new UsageError(`--kind must be one of ${RECORD_KINDS.join(', ')}`);
  const columnMapping: Record<string, string> = {};
  for (const pair of values.column ?? []) {
    const [field, column] = pair.split('=');
    if (!field || !column) throw new UsageError(`--column expects field=column, got "${pair}"`);
    columnMapping[field] = column;
  }
  const file = resolve(values.file);
  return {
    format,
    sourceUri: file,
    kind,
    jobId: values['job-id'] ?? `${format}-${createHash('sha256').update(file).digest('hex').slice(0, 12)}`,
    defaultStoreId: values.store,
    timeZone: values['time-zone'],
    columnMapping,
    wait: !values['no-wait'],
  };
}

function summary(job: ImportJob, seconds: number): string {
  const c = job.counts;
  const n = (x: number) => x.toLocaleString('en-GB');
  const lines = [
    `job ${job.jobId}: ${job.state}${job.errorMessage ? ` (${job.errorMessage})` : ''}${job.resumeCount ? `, resumed ${job.resumeCount}×` : ''}`,
    `  rows read        ${n(c.rowsRead)}`,
    `  records accepted ${n(c.accepted)}`,
    `  duplicates       ${n(c.duplicates)}`,
    `  quarantined      ${n(c.quarantined)}`,
    `  rows skipped     ${n(c.skipped)}${
      Object.keys(c.skippedByReason).length
        ? ` (${Object.entries(c.skippedByReason)
            .map(([k, v]) => `${k} ${n(v)}`)
            .join(', ')})`
        : ''
    }`,
    `  returns          ${n(c.returns)}`,
    `  anonymous rows   ${n(c.anonymousRows)}`,
    `  this run         ${seconds.toFixed(1)} s`,
  ];
  return lines.join('\n');
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseImportArgs>;
  try {
    options = parseImportArgs(process.argv.slice(2));
  } catch (err) {
    const message = (err as Error).message;
    console.error(message ? `${message}\n${USAGE}` : USAGE);
    return message ? 2 : 0;
  }
  const app = await NestFactory.createApplicationContext(IngestionModule.forCommand(), { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  const started = Date.now();
  const tty = process.stdout.isTTY;
  let lastLine = 0;
  const progress = (p: ImportProgressEvent) => {
    const line = renderProgress({
      bytesRead: p.bytesRead,
      fileSize: p.fileSize,
      rows: p.counts.rowsRead - p.job.counts.rowsRead,
      elapsedMs: p.elapsedMs,
      accepted: p.counts.accepted,
      duplicates: p.counts.duplicates,
      quarantined: p.counts.quarantined,
      skipped: p.counts.skipped,
    });
    if (tty) process.stdout.write(`\r${line}`);
    else if (Date.now() - lastLine > 5000) {
      lastLine = Date.now();
      console.log(line);
    }
  };
  try {
    const job = await app.get(ImportService).run(options, progress);
    if (tty) process.stdout.write('\n');
    console.log(summary(job, (Date.now() - started) / 1000));
    if (options.wait && job.state === 'succeeded') {
      const publisher = app.get(EventLogPublisher);
      await publisher.drained(30 * 60_000);
      console.log(
        `  published        every accepted record acknowledged by JetStream (${((Date.now() - started) / 1000).toFixed(1)} s in all)`,
      );
    }
    return job.state === 'succeeded' ? 0 : 1;
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
