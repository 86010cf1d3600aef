import 'reflect-metadata';
import { Metadata, status } from '@grpc/grpc-js';
import { Controller, INestMicroservice, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientGrpcProxy, ClientProxyFactory, RpcException } from '@nestjs/microservices';
import { createServer } from 'node:net';
import { firstValueFrom, from, map, Observable, toArray } from 'rxjs';
import * as dssV1 from '../generated/retail/dss/v1/dss';
import * as ingestionV1 from '../generated/retail/ingestion/v1/ingestion';
import * as healthV1 from '../generated/grpc/health/v1/health';
import { InteractionType } from '../generated/retail/common/v1/common';
import { GrpcServiceKey, grpcClientOptions, grpcServerOptions, qualifiedServiceNames } from './service-catalogue';
import { fromTimestamp, toTimestamp } from './timestamp';

/**
 * A real NestJS gRPC server built with grpcServerOptions() and generated controller decorators,
 * called through a generated client over ClientGrpc: proves that string enums, int64 numbers,
 * Timestamps, repeated fields, oneofs, bytes and metadata survive the wire both ways, and that
 * unset fields arrive the way the generated types say (null messages, absent oneof members).
 */

const unimplemented = (): never => {
  throw new RpcException({ code: status.UNIMPLEMENTED, message: 'not part of this test' });
};

const BIG_INT64 = Number.MAX_SAFE_INTEGER; // needs all 53 bits of an int64 carried as number
const NEGATIVE_INT64 = -123_456_789_012;
const COMPUTED_AT = toTimestamp(Date.UTC(2024, 1, 29, 12, 34, 56, 789));
const BEFORE_1970 = toTimestamp(Date.UTC(1969, 6, 20, 20, 17, 40, 5));

// ---------------------------------------------------------------------------------------------
// Test servers
// ---------------------------------------------------------------------------------------------

const seen: { acceptRequest?: unknown; actorHeader?: unknown; reportRequest?: unknown; interactions: unknown[] } = {
  interactions: [],
};

function suggestionFor(request: dssV1.AcceptSuggestionRequest): dssV1.Suggestion {
  return {
    suggestionId: request.suggestionId,
    sku: 'SKU-1',
    storeId: 'STORE-9',
    status: dssV1.SuggestionStatus.ACCEPTED,
    policy: dssV1.PolicyType.PERIODIC_REVIEW,
    orderQuantity: BIG_INT64,
    reorderPoint: 12.5,
    safetyStock: 3.25,
    orderUpToLevel: 40,
    economicOrderQuantity: 304.05,
    inventoryPosition: 7,
    onHand: 5,
    onOrder: 2,
    daysOfCover: 1.5,
    stockoutProbability: 0.12,
    expectedUnitsShort: 0.8,
    excessUnits: 0,
    excessValue: { amountMinor: NEGATIVE_INT64, currencyCode: 'EUR' },
    targetServiceLevel: 0.95,
    leadTimeDays: 7,
    // orderDate deliberately unset: arrives as null.
    forecastId: 'F-1',
    forecastModel: 'ets',
    reasons: [
      { code: 'POLICY.BELOW_REORDER_POINT', text: 'Stock covers 1.5 days; supplier needs 7', ruleId: '' },
      { code: 'RULE.CAP', text: 'Capped by "Max 50"', ruleId: 'R-7' },
    ],
    decision: {
      actor: request.actor,
      decidedAt: BEFORE_1970,
      reason: request.reason,
      quantityOverride: request.quantityOverride,
    },
    computationId: 'C-1',
    computedAt: COMPUTED_AT,
    revision: request.revision + 1,
  };
}

@Controller()
@dssV1.DssServiceControllerMethods()
class DssTestController implements dssV1.DssServiceController {
  acceptSuggestion(request: dssV1.AcceptSuggestionRequest, metadata?: Metadata): dssV1.AcceptSuggestionResponse {
    seen.acceptRequest = request;
    seen.actorHeader = metadata?.get('x-actor');
    return { suggestion: suggestionFor(request) };
  }

  getReport(request: dssV1.GetReportRequest): Observable<dssV1.GetReportResponse> {
    seen.reportRequest = request;
    return from([
      {
        header: { contentType: 'text/html; charset=utf-8', filename: 'risk.html', generatedAt: COMPUTED_AT },
        chunk: Buffer.alloc(0),
      },
      { chunk: Buffer.from('<html><body>') },
      { chunk: Buffer.from([0xe2, 0x82, 0xac, 0x00, 0xff]) },
    ]);
  }

  getForecast(): never {
    return unimplemented();
  }
  computeSuggestions(): never {
    return unimplemented();
  }
  getComputation(): never {
    return unimplemented();
  }
  listSuggestions(): never {
    return unimplemented();
  }
  getSuggestion(): never {
    return unimplemented();
  }
  rejectSuggestion(): never {
    return unimplemented();
  }
  upsertSupplyParameters(): never {
    return unimplemented();
  }
  getSupplyParameters(): never {
    return unimplemented();
  }
  createRule(): never {
    return unimplemented();
  }
  updateRule(): never {
    return unimplemented();
  }
  deleteRule(): never {
    return unimplemented();
  }
  listRules(): never {
    return unimplemented();
  }
}

@Controller()
@ingestionV1.IngestionServiceControllerMethods()
class IngestionTestController implements ingestionV1.IngestionServiceController {
  // Return an Observable built from the request stream. Nest buffers incoming messages until the
  // handler has returned (for a Promise: until it resolves), so an async handler that awaits the
  // whole stream before resolving never sees a message and the call hangs.
  streamInteractions(
    request: Observable<ingestionV1.StreamInteractionsRequest>,
  ): Observable<ingestionV1.StreamInteractionsResponse> {
    return request.pipe(
      toArray(),
      map((batches) => {
        const interactions = batches.flatMap((batch) => batch.interactions);
        seen.interactions = interactions;
        return {
          summary: { received: interactions.length, accepted: interactions.length - 1, duplicates: 0, quarantined: 1 },
          results: [
            {
              index: interactions.length - 1,
              recordKey: 'sha256:abc',
              status: ingestionV1.RecordStatus.QUARANTINED,
              errors: [{ field: 'interactions[2].occurred_at', code: 'TIME.FAR_FUTURE', message: 'in the future' }],
              quarantineId: 'Q-1',
              flags: [ingestionV1.RecordFlag.TIME_NORMALISED, ingestionV1.RecordFlag.UNKNOWN_ITEM_REGISTERED],
            },
          ],
        };
      }),
    );
  }

  ingestInteractions(): never {
    return unimplemented();
  }
  ingestItems(): never {
    return unimplemented();
  }
  streamItems(): never {
    return unimplemented();
  }
  ingestUsers(): never {
    return unimplemented();
  }
  streamUsers(): never {
    return unimplemented();
  }
  ingestSales(): never {
    return unimplemented();
  }
  streamSales(): never {
    return unimplemented();
  }
  ingestStockPositions(): never {
    return unimplemented();
  }
  streamStockPositions(): never {
    return unimplemented();
  }
  ingestSupplyParameters(): never {
    return unimplemented();
  }
  streamSupplyParameters(): never {
    return unimplemented();
  }
  listQuarantinedRecords(): never {
    return unimplemented();
  }
  replayQuarantinedRecords(): never {
    return unimplemented();
  }
  startImportJob(): never {
    return unimplemented();
  }
  getImportJob(): never {
    return unimplemented();
  }
  listImportJobs(): never {
    return unimplemented();
  }
  cancelImportJob(): never {
    return unimplemented();
  }
}

/** Minimal grpc.health.v1 so the test sees the catalogue serve health next to the app's package. */
function healthControllerFor(service: GrpcServiceKey): Type {
  const served = new Set(['', ...qualifiedServiceNames(service)]);
  @Controller()
  @healthV1.HealthControllerMethods()
  class HealthTestController implements healthV1.HealthController {
    check(request: healthV1.HealthCheckRequest): healthV1.HealthCheckResponse {
      if (!served.has(request.service)) throw new RpcException({ code: status.NOT_FOUND, message: request.service });
      return { status: healthV1.HealthCheckResponse_ServingStatus.SERVING };
    }
    list(): healthV1.HealthListResponse {
      return {
        statuses: Object.fromEntries(
          [...served].map((name) => [name, { status: healthV1.HealthCheckResponse_ServingStatus.SERVING }]),
        ),
      };
    }
    watch(request: healthV1.HealthCheckRequest): Observable<healthV1.HealthCheckResponse> {
      return from([this.check(request)]);
    }
  }
  return HealthTestController;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startServer(
  service: GrpcServiceKey,
  controller: Type,
): Promise<{ app: INestMicroservice; url: string }> {
  @Module({ controllers: [controller, healthControllerFor(service)] })
  class TestModule {}
  const url = `127.0.0.1:${await freePort()}`;
  const app = await NestFactory.createMicroservice(TestModule, { ...grpcServerOptions(service, url), logger: false });
  await app.listen();
  return { app, url };
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('gRPC round trip through generated contracts', () => {
  const apps: INestMicroservice[] = [];
  const clients: ClientGrpcProxy[] = [];
  let dss: dssV1.DssServiceClient;
  let dssHealth: healthV1.HealthClient;
  let ingestion: ingestionV1.IngestionServiceClient;

  beforeAll(async () => {
    const dssServer = await startServer('dss', DssTestController);
    const ingestionServer = await startServer('ingestion', IngestionTestController);
    apps.push(dssServer.app, ingestionServer.app);

    const dssClient = ClientProxyFactory.create(grpcClientOptions('dss', dssServer.url));
    const ingestionClient = ClientProxyFactory.create(grpcClientOptions('ingestion', ingestionServer.url));
    clients.push(dssClient, ingestionClient);
    dss = dssClient.getService<dssV1.DssServiceClient>(dssV1.DSS_SERVICE_NAME);
    dssHealth = dssClient.getService<healthV1.HealthClient>(healthV1.HEALTH_SERVICE_NAME);
    ingestion = ingestionClient.getService<ingestionV1.IngestionServiceClient>(ingestionV1.INGESTION_SERVICE_NAME);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(apps.map((app) => app.close()));
  });

  it('carries a unary call: enums as names, int64 as numbers, Timestamps, repeated fields and metadata', async () => {
    const metadata = new Metadata();
    metadata.set('x-actor', 'manager-7');
    const request: dssV1.AcceptSuggestionRequest = {
      suggestionId: 'SUG-1',
      revision: 2 ** 40,
      actor: 'manager-7',
      reason: '',
      quantityOverride: 48,
    };

    const response = await firstValueFrom(dss.acceptSuggestion(request, metadata));

    // What the server received: every scalar present (defaults: true), the optional set one too,
    // plus proto-loader's virtual property naming the synthetic oneof of the proto3 optional field.
    expect(seen.acceptRequest).toEqual({ ...request, _quantityOverride: 'quantityOverride' });
    expect(seen.actorHeader).toEqual(['manager-7']);

    // What the client received: exactly what the server sent, with the unset message field as null.
    const { decision, ...rest } = response.suggestion!;
    const { decision: sentDecision, ...sentRest } = suggestionFor(request);
    expect(rest).toEqual({ ...sentRest, orderDate: null });
    expect(decision).toEqual({ ...sentDecision, _quantityOverride: 'quantityOverride' });
    expect(rest.orderQuantity).toBe(Number.MAX_SAFE_INTEGER);
    expect(rest.excessValue?.amountMinor).toBe(NEGATIVE_INT64);
    expect(rest.status).toBe('SUGGESTION_STATUS_ACCEPTED');
    expect(fromTimestamp(rest.computedAt!).toISOString()).toBe('2024-02-29T12:34:56.789Z');
    expect(fromTimestamp(decision!.decidedAt!).toISOString()).toBe('1969-07-20T20:17:40.005Z');
  });

  it('carries a server stream: a header message, then bytes chunks in order', async () => {
    const request: dssV1.GetReportRequest = {
      kind: dssV1.ReportKind.STOCKOUT_RISK,
      format: dssV1.ReportFormat.HTML,
      scope: { storeId: 'STORE-9', category: '', skus: ['A', 'B'] },
    };

    const messages = await firstValueFrom(dss.getReport(request).pipe(toArray()));

    expect(seen.reportRequest).toEqual(request);
    expect(messages).toHaveLength(3);
    expect(messages[0].header).toEqual({
      contentType: 'text/html; charset=utf-8',
      filename: 'risk.html',
      generatedAt: COMPUTED_AT,
    });
    expect(messages.slice(1).map((m) => m.header)).toEqual([null, null]);
    expect(messages.every((m) => Buffer.isBuffer(m.chunk))).toBe(true);
    expect(Buffer.concat(messages.map((m) => m.chunk))).toEqual(
      Buffer.concat([Buffer.from('<html><body>'), Buffer.from([0xe2, 0x82, 0xac, 0x00, 0xff])]),
    );
  });

  it('carries a client stream: batches of records with oneofs in, one summary with repeated enums out', async () => {
    const purchase: ingestionV1.Interaction = {
      eventId: 'E-1',
      userId: 'U-1',
      itemId: 'I-1',
      type: InteractionType.PURCHASE,
      occurredAt: COMPUTED_AT,
      quantity: 2,
      unitPrice: { amountMinor: 1999, currencyCode: 'EUR' },
      priceIncludesTax: true,
      shownItemIds: [],
      context: {
        page: 'product',
        device: 'mobile',
        recommendationId: 'REC-1',
        experimentId: '',
        variantId: '',
        placement: '',
      },
    };
    const impression: ingestionV1.Interaction = {
      eventId: 'E-2',
      sessionId: 'S-1',
      itemId: 'I-2',
      type: InteractionType.IMPRESSION,
      occurredAt: BEFORE_1970,
      quantity: 0,
      priceIncludesTax: false,
      rating: 0,
      shownItemIds: ['I-2', 'I-3', 'I-4'],
    };

    const response = await firstValueFrom(
      ingestion.streamInteractions(from([{ interactions: [purchase, impression] }, { interactions: [purchase] }])),
    );

    expect(seen.interactions).toEqual([
      { ...purchase, subject: 'userId' },
      // Unset message fields arrive as null; the set proto3 optional rating (0) arrives as 0.
      { ...impression, subject: 'sessionId', unitPrice: null, context: null, _rating: 'rating' },
      { ...purchase, subject: 'userId' },
    ]);
    expect(response).toEqual({
      summary: { received: 3, accepted: 2, duplicates: 0, quarantined: 1 },
      results: [
        {
          index: 2,
          recordKey: 'sha256:abc',
          status: 'RECORD_STATUS_QUARANTINED',
          errors: [{ field: 'interactions[2].occurred_at', code: 'TIME.FAR_FUTURE', message: 'in the future' }],
          quarantineId: 'Q-1',
          flags: ['RECORD_FLAG_TIME_NORMALISED', 'RECORD_FLAG_UNKNOWN_ITEM_REGISTERED'],
        },
      ],
    });
  });

  it('serves grpc.health.v1 next to the app package', async () => {
    await expect(firstValueFrom(dssHealth.check({ service: 'retail.dss.v1.DssService' }))).resolves.toEqual({
      status: 'SERVING',
    });
    await expect(
      firstValueFrom(dssHealth.check({ service: 'retail.training.v1.TrainingService' })),
    ).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });

  it('passes the status of an RpcException thrown by a handler through to the client', async () => {
    await expect(
      firstValueFrom(
        dss.getForecast({
          sku: 'X',
          storeId: '',
          horizon: 1,
          frequency: dssV1.Frequency.DAY,
          quantiles: [],
          model: '',
          historyPeriods: 0,
        }),
      ),
    ).rejects.toMatchObject({ code: status.UNIMPLEMENTED });
  });
});
