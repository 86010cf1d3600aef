import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { commonV1, featureStoreV1 } from '@app/contracts';
import { fromTimestamp, GRPC_SERVICES, PROTO_LOADER_OPTIONS, toTimestamp } from '@app/contracts/grpc';
import { createHash } from 'node:crypto';

/**
 * A stand-in for the feature store (the next issue builds the real one): a plain gRPC server implementing
 * `StreamTrainingSet` from the same proto over a small synthetic history with planted structure. It honours
 * as_of (strictly before), window_start, interaction weights (only the listed types, with their weights),
 * batch size, resume tokens and include_items, and records every request it served.
 */

export interface SyntheticEvent {
  userId: string;
  itemId: string;
  type: commonV1.InteractionType;
  at: Date;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
export const HISTORY_START = Date.UTC(2026, 9, 1);
const GROUPS = 4;

/**
 * Users and items in four groups; each user views and buys items of their own group (popular ones more
 * often, in a fixed order within the group), one event a day, with a little noise. Personalised models should
 * beat popularity on a temporal holdout; popularity, blind to groups, cannot.
 */
export function syntheticHistory(users = 48, items = 32, perUser = 10, seed = 7): SyntheticEvent[] {
  let state = seed;
  const rand = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const events: SyntheticEvent[] = [];
  for (let u = 0; u < users; u++) {
    const group = u % GROUPS;
    const own = Array.from({ length: items / GROUPS }, (_, k) => k * GROUPS + group);
    const chosen = new Set<number>();
    while (chosen.size < perUser) {
      chosen.add(rand() < 0.1 ? Math.floor(rand() * items) : own[Math.floor(own.length * rand() * rand())]);
    }
    [...chosen]
      .sort((a, b) => a - b)
      .forEach((item, day) => {
        const at = new Date(HISTORY_START + day * DAY_MS + u * 60_000);
        const type = rand() < 0.3 ? commonV1.InteractionType.PURCHASE : commonV1.InteractionType.VIEW;
        events.push({ userId: `u${u}`, itemId: `i${item}`, type, at });
      });
  }
  return events.sort((a, b) => a.at.getTime() - b.at.getTime() || a.userId.localeCompare(b.userId));
}

/** The rows a request selects, in stream order, with their weights (what the real store must also do). */
export function selectRows(events: readonly SyntheticEvent[], r: featureStoreV1.StreamTrainingSetRequest) {
  const asOf = fromTimestamp(r.asOf!).getTime();
  const from = r.windowStart ? fromTimestamp(r.windowStart).getTime() : -Infinity;
  const weights = new Map(r.weights.map((w) => [w.type, w.weight]));
  return events
    .filter((e) => e.at.getTime() < asOf && e.at.getTime() >= from && (weights.size === 0 || weights.has(e.type)))
    .map((e) => ({ ...e, weight: weights.size === 0 ? 1 : weights.get(e.type)! }));
}

export class FeatureStoreStandIn {
  readonly requests: featureStoreV1.StreamTrainingSetRequest[] = [];
  /** When set, the stream fails after this many batches (once), to exercise resume tokens. */
  failAfterBatches?: number;
  /** When set, the trailer carries a wrong checksum. */
  corruptChecksum = false;
  private server?: grpc.Server;
  address = '';

  constructor(readonly events: SyntheticEvent[] = syntheticHistory()) {}

  async start(): Promise<string> {
    const def = protoLoader.loadSync([...GRPC_SERVICES['feature-store'].protoFiles], PROTO_LOADER_OPTIONS);
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      retail: { featurestore: { v1: Record<string, grpc.ServiceClientConstructor> } };
    };
    const service = pkg.retail.featurestore.v1[featureStoreV1.FEATURE_STORE_SERVICE_NAME].service;
    this.server = new grpc.Server();
    this.server.addService(service, {
      StreamTrainingSet: (call: grpc.ServerWritableStream<featureStoreV1.StreamTrainingSetRequest, unknown>) =>
        this.stream(call),
    });
    const port = await new Promise<number>((resolve, reject) =>
      this.server!.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    this.address = `127.0.0.1:${port}`;
    return this.address;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.tryShutdown(() => resolve()) ?? resolve());
  }

  private stream(call: grpc.ServerWritableStream<featureStoreV1.StreamTrainingSetRequest, unknown>): void {
    const r = call.request;
    this.requests.push(r);
    if (!r.asOf) {
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'as_of is required' });
      return;
    }
    const rows = selectRows(this.events, r);
    const snapshotId = createHash('sha256')
      .update(JSON.stringify([r.asOf, r.windowStart, r.weights]))
      .digest('hex')
      .slice(0, 16);
    const start = r.resumeToken ? Number(r.resumeToken) : 0;
    call.write({
      header: {
        asOf: r.asOf,
        windowStart: r.windowStart,
        weights: r.weights,
        interactionCount: rows.length,
        userCount: new Set(rows.map((x) => x.userId)).size,
        itemCount: new Set(rows.map((x) => x.itemId)).size,
        snapshotId,
      },
    });
    const size = r.batchSize || 5000;
    let batches = 0;
    for (let at = start; at < rows.length; at += size) {
      if (this.failAfterBatches !== undefined && batches === this.failAfterBatches) {
        this.failAfterBatches = undefined;
        call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'connection reset' });
        return;
      }
      const batch = rows.slice(at, at + size);
      call.write({
        interactions: {
          interactions: batch.map((x) => ({
            userId: x.userId,
            itemId: x.itemId,
            type: x.type,
            weight: x.weight,
            occurredAt: toTimestamp(x.at),
            quantity: 1,
          })),
          resumeToken: String(at + batch.length),
        },
      });
      batches++;
    }
    if (r.includeItems) {
      const ids = [...new Set(rows.map((x) => x.itemId))];
      call.write({
        items: {
          items: ids.map((id) => ({
            itemId: id,
            title: `item ${id} of group ${Number(id.slice(1)) % GROUPS}`,
            description: '',
            categories: [`group-${Number(id.slice(1)) % GROUPS}`],
            brand: '',
            attributes: {},
            price: null,
          })),
        },
      });
    }
    const checksum = createHash('sha256');
    for (const x of rows) {
      const type = String(x.type).replace('INTERACTION_TYPE_', '').toLowerCase();
      checksum.update(`${x.userId}\t${x.itemId}\t${type}\t${x.weight}\t${x.at.toISOString()}\t\t1\n`);
    }
    call.write({
      trailer: {
        interactionCount: rows.length - start,
        itemCount: 0,
        checksum: this.corruptChecksum ? 'bad' : checksum.digest('hex'),
      },
    });
    call.end();
  }
}
