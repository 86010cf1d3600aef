import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { parseOrThrow, ValidationError } from '@app/platform/errors';
import { z } from 'zod';
import { RECORD_KINDS, RecordKind } from '../domain';
import { ImportService } from '../application/import.service';
import { IngestService } from '../application/ingest.service';
import { QuarantineService, REPLAY_LIMIT } from '../application/quarantine.service';
import { IngestionStatsService } from '../application/ingestion-stats.service';
import { IMPORT_FORMATS } from '../infra/import';
import { pageAfter } from './ingestion.proto-mapping';

/*
 * REST mirror of the gRPC API. Records use the proto JSON names (camelCase); answers use lower-case
 * names (`accepted`, `sales_line`). See docs for examples.
 */

const kind = z.enum(RECORD_KINDS as [RecordKind, ...RecordKind[]]);
const id = z.string().trim().min(1).max(128);

const QuarantineQuery = z.object({
  kind: kind.optional(),
  reasonCode: z.string().trim().max(64).optional(),
  state: z.enum(['pending', 'replayed', 'discarded']).optional(),
  quarantinedAfter: z.iso.datetime({ offset: true }).optional(),
  pageSize: z.coerce.number().int().min(1).max(1000).default(100),
  pageToken: z.string().optional(),
});

const ReplayBody = z.object({
  quarantineIds: z.array(id).max(REPLAY_LIMIT).default([]),
  kind: kind.optional(),
  reasonCode: z.string().trim().max(64).optional(),
  /** Corrected records by quarantine id: a JSON object, replacing the stored one. */
  corrections: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  dryRun: z.boolean().default(false),
  discardFailures: z.boolean().default(false),
});

const StartImportBody = z.object({
  jobId: z.string().trim().max(128).optional(),
  format: z.enum(IMPORT_FORMATS as [string, ...string[]]),
  kind: kind.optional(),
  sourceUri: z.string().trim().min(1).max(4096),
  columnMapping: z.record(z.string(), z.string()).optional(),
  defaultStoreId: id.optional(),
  timeZone: z.string().max(64).optional(),
});

const JobsQuery = z.object({
  state: z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  pageToken: z.string().optional(),
});

function listOf(body: unknown, field: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError([{ field: '', message: `expected a JSON object with a "${field}" list` }]);
  }
  return (body as Record<string, unknown>)[field];
}

@Controller('v1')
export class IngestionHttpController {
  constructor(
    private readonly ingest: IngestService,
    private readonly quarantine: QuarantineService,
    private readonly imports: ImportService,
    private readonly stats: IngestionStatsService,
  ) {}

  @Post('interactions')
  @HttpCode(200)
  interactions(@Body() body: unknown) {
    return this.batch('interaction', 'interactions', body);
  }

  @Post('items')
  @HttpCode(200)
  items(@Body() body: unknown) {
    return this.batch('item', 'items', body);
  }

  @Post('users')
  @HttpCode(200)
  users(@Body() body: unknown) {
    return this.batch('user', 'users', body);
  }

  @Post('sales')
  @HttpCode(200)
  sales(@Body() body: unknown) {
    return this.batch('sales_line', 'lines', body);
  }

  @Post('stock-positions')
  @HttpCode(200)
  stock(@Body() body: unknown) {
    return this.batch('stock_position', 'positions', body);
  }

  @Post('supply-parameters')
  @HttpCode(200)
  supply(@Body() body: unknown) {
    return this.batch('supply_parameters', 'parameters', body);
  }

  @Get('quarantine')
  async listQuarantine(@Query() query: unknown) {
    const q = parseOrThrow(QuarantineQuery, query);
    const page = await this.quarantine.list(
      {
        kind: q.kind,
        reasonCode: q.reasonCode || undefined,
        state: q.state,
        quarantinedAfter: q.quarantinedAfter ? new Date(q.quarantinedAfter) : undefined,
      },
      { size: q.pageSize, after: pageAfter(q.pageToken) },
    );
    return {
      records: page.records.map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown })),
      nextPageToken: page.next === undefined ? '' : String(page.next),
      totalSize: page.total,
    };
  }

  @Post('quarantine/replay')
  @HttpCode(200)
  async replay(@Body() body: unknown) {
    const r = parseOrThrow(ReplayBody, body);
    const out = await this.quarantine.replay({
      ids: r.quarantineIds,
      filter: { kind: r.kind, reasonCode: r.reasonCode || undefined },
      corrections: new Map(Object.entries(r.corrections).map(([qid, record]) => [qid, JSON.stringify(record)])),
      dryRun: r.dryRun,
      discardFailures: r.discardFailures,
    });
    return { summary: out.summary, results: out.results, quarantineIds: out.ids };
  }

  @Post('import-jobs')
  @HttpCode(202)
  async startImport(@Body() body: unknown) {
    const r = parseOrThrow(StartImportBody, body);
    return this.imports.start({ ...r, format: r.format as (typeof IMPORT_FORMATS)[number] });
  }

  @Get('import-jobs')
  async listImports(@Query() query: unknown) {
    const q = parseOrThrow(JobsQuery, query);
    const page = await this.imports.list(q.state, { size: q.pageSize, after: pageAfter(q.pageToken) });
    return { jobs: page.jobs, nextPageToken: page.next === undefined ? '' : String(page.next) };
  }

  @Get('import-jobs/:jobId')
  getImport(@Param('jobId') jobId: string) {
    return this.imports.get(parseOrThrow(id, jobId));
  }

  @Post('import-jobs/:jobId/cancel')
  @HttpCode(200)
  cancelImport(@Param('jobId') jobId: string) {
    return this.imports.cancel(parseOrThrow(id, jobId));
  }

  @Get('ingestion/stats')
  statistics() {
    return this.stats.snapshot();
  }

  private batch(kind: RecordKind, field: string, body: unknown) {
    const endpoint = `rest.${field}`;
    const inputs = this.ingest.checkBatch(field, listOf(body, field), endpoint);
    return this.ingest.ingest(kind, inputs, { source: 'rest', endpoint });
  }
}
