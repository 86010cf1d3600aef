import { Controller } from '@nestjs/common';
import { ingestionV1 } from '@app/contracts';
import { fromTimestamp } from '@app/contracts/grpc';
import { ValidationError } from '@app/platform/errors';
import { defer, from, last, map, mergeMap, Observable, scan } from 'rxjs';
import type { RecordKind } from '../domain';
import { ImportService } from '../application/import.service';
import { IngestOutcome, IngestService } from '../application/ingest.service';
import { QuarantineService } from '../application/quarantine.service';
import {
  formatFromProto,
  jobStateFromProto,
  jobToProto,
  kindFromProto,
  outcomeToProto,
  pageAfter,
  pageSize,
  quarantinedToProto,
  quarantineStateFromProto,
  resultToProto,
} from './ingestion.proto-mapping';

/** Stream messages stored concurrently (each in its own transaction). */
const STREAM_MESSAGES_IN_FLIGHT = 4;

type StreamTotals = { summary: ingestionV1.IngestSummary; results: ingestionV1.RecordResult[]; next: number };

/** gRPC entry points: validate the request as a whole, delegate, translate. */
@Controller()
@ingestionV1.IngestionServiceControllerMethods()
export class IngestionGrpcController implements ingestionV1.IngestionServiceController {
  constructor(
    private readonly ingest: IngestService,
    private readonly quarantine: QuarantineService,
    private readonly imports: ImportService,
  ) {}

  ingestInteractions(r: ingestionV1.IngestInteractionsRequest) {
    return this.batch('interaction', 'interactions', r.interactions, 'IngestInteractions');
  }
  ingestItems(r: ingestionV1.IngestItemsRequest) {
    return this.batch('item', 'items', r.items, 'IngestItems');
  }
  ingestUsers(r: ingestionV1.IngestUsersRequest) {
    return this.batch('user', 'users', r.users, 'IngestUsers');
  }
  ingestSales(r: ingestionV1.IngestSalesRequest) {
    return this.batch('sales_line', 'lines', r.lines, 'IngestSales');
  }
  ingestStockPositions(r: ingestionV1.IngestStockPositionsRequest) {
    return this.batch('stock_position', 'positions', r.positions, 'IngestStockPositions');
  }
  ingestSupplyParameters(r: ingestionV1.IngestSupplyParametersRequest) {
    return this.batch('supply_parameters', 'parameters', r.parameters, 'IngestSupplyParameters');
  }

  streamInteractions(s: Observable<ingestionV1.StreamInteractionsRequest>) {
    return this.stream(s, 'interaction', 'interactions', (m) => m.interactions, 'StreamInteractions');
  }
  streamItems(s: Observable<ingestionV1.StreamItemsRequest>) {
    return this.stream(s, 'item', 'items', (m) => m.items, 'StreamItems');
  }
  streamUsers(s: Observable<ingestionV1.StreamUsersRequest>) {
    return this.stream(s, 'user', 'users', (m) => m.users, 'StreamUsers');
  }
  streamSales(s: Observable<ingestionV1.StreamSalesRequest>) {
    return this.stream(s, 'sales_line', 'lines', (m) => m.lines, 'StreamSales');
  }
  streamStockPositions(s: Observable<ingestionV1.StreamStockPositionsRequest>) {
    return this.stream(s, 'stock_position', 'positions', (m) => m.positions, 'StreamStockPositions');
  }
  streamSupplyParameters(s: Observable<ingestionV1.StreamSupplyParametersRequest>) {
    return this.stream(s, 'supply_parameters', 'parameters', (m) => m.parameters, 'StreamSupplyParameters');
  }

  async listQuarantinedRecords(
    r: ingestionV1.ListQuarantinedRecordsRequest,
  ): Promise<ingestionV1.ListQuarantinedRecordsResponse> {
    const page = await this.quarantine.list(
      {
        kind: kindFromProto(r.kind),
        reasonCode: r.reasonCode.trim() || undefined,
        state: quarantineStateFromProto(r.state),
        quarantinedAfter: r.quarantinedAfter ? new Date(fromTimestamp(r.quarantinedAfter)) : undefined,
      },
      { size: pageSize(r.pageSize, 100, 1000), after: pageAfter(r.pageToken) },
    );
    return {
      records: page.records.map(quarantinedToProto),
      nextPageToken: page.next === undefined ? '' : String(page.next),
      totalSize: page.total,
    };
  }

  async replayQuarantinedRecords(
    r: ingestionV1.ReplayQuarantinedRecordsRequest,
  ): Promise<ingestionV1.ReplayQuarantinedRecordsResponse> {
    const out = await this.quarantine.replay({
      ids: r.quarantineIds.map((id) => id.trim()).filter(Boolean),
      filter: { kind: kindFromProto(r.kind), reasonCode: r.reasonCode.trim() || undefined },
      corrections: new Map(r.corrections.map((c) => [c.quarantineId.trim(), c.payloadJson])),
      dryRun: r.dryRun,
      discardFailures: r.discardFailures,
    });
    return { summary: out.summary, results: out.results.map(resultToProto), quarantineIds: out.ids };
  }

  async startImportJob(r: ingestionV1.StartImportJobRequest): Promise<ingestionV1.StartImportJobResponse> {
    const format = formatFromProto(r.format);
    if (!format) throw new ValidationError([{ field: 'format', message: 'is required' }]);
    const job = await this.imports.start({
      jobId: r.jobId,
      format,
      kind: kindFromProto(r.kind),
      sourceUri: r.sourceUri,
      columnMapping: r.columnMapping,
      defaultStoreId: r.defaultStoreId,
    });
    return { job: jobToProto(job) };
  }

  async getImportJob(r: ingestionV1.GetImportJobRequest): Promise<ingestionV1.GetImportJobResponse> {
    return { job: jobToProto(await this.imports.get(requiredId(r.jobId))) };
  }

  async listImportJobs(r: ingestionV1.ListImportJobsRequest): Promise<ingestionV1.ListImportJobsResponse> {
    const page = await this.imports.list(jobStateFromProto(r.state), {
      size: pageSize(r.pageSize, 50, 500),
      after: pageAfter(r.pageToken),
    });
    return { jobs: page.jobs.map(jobToProto), nextPageToken: page.next === undefined ? '' : String(page.next) };
  }

  async cancelImportJob(r: ingestionV1.CancelImportJobRequest): Promise<ingestionV1.CancelImportJobResponse> {
    return { job: jobToProto(await this.imports.cancel(requiredId(r.jobId))) };
  }

  private async batch(kind: RecordKind, field: string, records: unknown, endpoint: string) {
    const inputs = this.ingest.checkBatch(field, records, `grpc.${endpoint}`);
    return outcomeToProto(await this.ingest.ingest(kind, inputs, { source: 'grpc', endpoint: `grpc.${endpoint}` }));
  }

  /**
   * A client stream of batches: each message is validated and committed as it arrives, a few at a
   * time (so a broken stream keeps what came before it), and one answer with the totals and the non-accepted records'
   * results comes when the client closes. Must return an Observable built from the request stream.
   */
  private stream<M>(
    messages: Observable<M>,
    kind: RecordKind,
    field: string,
    records: (m: M) => unknown,
    endpoint: string,
  ): Observable<{ summary: ingestionV1.IngestSummary; results: ingestionV1.RecordResult[] }> {
    const name = `grpc.${endpoint}`;
    let next = 0;
    return messages.pipe(
      // A few messages in flight: one is cleaned while others wait on the database.
      mergeMap(
        (m) =>
          defer(() => {
            const inputs = this.ingest.checkBatch(field, records(m), name);
            const firstIndex = next;
            next += inputs.length;
            return from(this.ingest.ingest(kind, inputs, { source: 'grpc', endpoint: name, firstIndex }));
          }),
        STREAM_MESSAGES_IN_FLIGHT,
      ),
      scan((acc: StreamTotals, o: IngestOutcome) => add(acc, o), {
        summary: { received: 0, accepted: 0, duplicates: 0, quarantined: 0 },
        results: [],
        next: 0,
      }),
      last(null, { summary: { received: 0, accepted: 0, duplicates: 0, quarantined: 0 }, results: [], next: 0 }),
      map(({ summary, results }) => ({ summary, results })),
    );
  }
}

function add(acc: StreamTotals, o: IngestOutcome): StreamTotals {
  acc.summary.received += o.summary.received;
  acc.summary.accepted += o.summary.accepted;
  acc.summary.duplicates += o.summary.duplicates;
  acc.summary.quarantined += o.summary.quarantined;
  for (const r of o.results) if (r.status !== 'accepted') acc.results.push(resultToProto(r));
  return acc;
}

function requiredId(id: string): string {
  const trimmed = id.trim();
  if (!trimmed) throw new ValidationError([{ field: 'jobId', message: 'is required' }]);
  return trimmed;
}
