import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { trainingV1 } from '@app/contracts';
import { GRPC_SERVICES, PROTO_LOADER_OPTIONS } from '@app/contracts/grpc';
import { defaultRegistry, InteractionDataset, type Interaction } from '@app/recsys';
import { createHash } from 'node:crypto';

/**
 * A stand-in for the training service's model registry: a plain gRPC server implementing `GetModel` (by id or
 * CHAMPION alias) and `GetModelArtifact` (metadata first, then chunks from the requested offset) from the same
 * proto, over models registered by the test. It can stop and come back on the same port, serve an artifact whose
 * bytes do not match its checksum, and counts the artifact downloads per model.
 */

export interface StoredModel {
  modelId: string;
  version: number;
  algorithm: string;
  bytes: Buffer;
  /** Hex SHA-256 the registry announces (of the true bytes). */
  sha256: string;
  /** When set, the stream serves these bytes instead (a corrupted store). */
  servedBytes?: Buffer;
}

/** A tiny history with structure: users of group g interact with items of group g, popular ones more. */
export function tinyHistory(users = 30, items = 20, groups = 2): Interaction[] {
  const rows: Interaction[] = [];
  for (let u = 0; u < users; u++) {
    const g = u % groups;
    for (let k = 0; k < 6; k++) {
      const item = ((u * 7 + k * k) % (items / groups)) * groups + g;
      rows.push({ userId: `u${u}`, itemId: `i${item}`, timestamp: 1_760_000_000 + u * 100 + k });
    }
  }
  return rows;
}

export async function fitArtifact(algorithm: string, params: Record<string, unknown> = {}): Promise<Buffer> {
  const model = defaultRegistry.create(algorithm, params);
  await model.fit(InteractionDataset.fromInteractions(tinyHistory()));
  return Buffer.from(model.serialize());
}

export class TrainingStandIn {
  readonly models = new Map<string, StoredModel>();
  championId?: string;
  readonly artifactRequests = new Map<string, number>();
  /** When set, the next artifact stream breaks (UNAVAILABLE) after this many chunks, to exercise resuming. */
  breakAfterChunks?: number;
  /** Bytes per chunk when the request does not say. */
  chunkSize = 1024;
  address = '';
  private server?: grpc.Server;
  private port = 0;

  register(modelId: string, version: number, algorithm: string, bytes: Buffer): StoredModel {
    const model = { modelId, version, algorithm, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
    this.models.set(modelId, model);
    return model;
  }

  /** Starts (again, on the same port after stop()). */
  async start(): Promise<string> {
    const def = protoLoader.loadSync([...GRPC_SERVICES.training.protoFiles], PROTO_LOADER_OPTIONS);
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      retail: { training: { v1: Record<string, grpc.ServiceClientConstructor> } };
    };
    const service = pkg.retail.training.v1[trainingV1.TRAINING_SERVICE_NAME].service;
    this.server = new grpc.Server();
    this.server.addService(service, {
      GetModel: (
        call: grpc.ServerUnaryCall<trainingV1.GetModelRequest, unknown>,
        callback: grpc.sendUnaryData<trainingV1.GetModelResponse>,
      ) => this.getModel(call.request, callback),
      GetModelArtifact: (call: grpc.ServerWritableStream<trainingV1.GetModelArtifactRequest, unknown>) =>
        this.stream(call),
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server!.bindAsync(`127.0.0.1:${this.port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    this.address = `127.0.0.1:${this.port}`;
    return this.address;
  }

  /** Stops at once, as a crash would. */
  stop(): Promise<void> {
    this.server?.forceShutdown();
    this.server = undefined;
    return Promise.resolve();
  }

  private toProto(m: StoredModel): trainingV1.Model {
    return {
      modelId: m.modelId,
      version: m.version,
      algorithm: m.algorithm,
      params: {},
      holdoutId: 'h1',
      metrics: [],
      status: m.modelId === this.championId ? trainingV1.ModelStatus.CHAMPION : trainingV1.ModelStatus.CANDIDATE,
      artifact: {
        uri: `db://artifacts/${m.modelId}`,
        sha256: m.sha256,
        sizeBytes: m.bytes.length,
        contentType: 'application/vnd.retail.model',
        formatVersion: 1,
      },
      runId: 'run-1',
      fitSeconds: 0.1,
    };
  }

  private getModel(r: trainingV1.GetModelRequest, callback: grpc.sendUnaryData<trainingV1.GetModelResponse>): void {
    const id = r.modelId || (r.alias === trainingV1.ModelAlias.CHAMPION ? this.championId : undefined);
    const model = id ? this.models.get(id) : undefined;
    if (!model) {
      callback({ code: grpc.status.NOT_FOUND, details: `no model ${id ?? r.alias}` });
      return;
    }
    callback(null, { model: this.toProto(model) });
  }

  private stream(call: grpc.ServerWritableStream<trainingV1.GetModelArtifactRequest, unknown>): void {
    const r = call.request;
    const model = this.models.get(r.modelId);
    if (!model) {
      call.emit('error', { code: grpc.status.NOT_FOUND, details: `no model ${r.modelId}` });
      return;
    }
    this.artifactRequests.set(r.modelId, (this.artifactRequests.get(r.modelId) ?? 0) + 1);
    const bytes = model.servedBytes ?? model.bytes;
    const size = r.chunkSize || this.chunkSize;
    call.write({ artifact: this.toProto(model).artifact, offset: r.offset, chunk: Buffer.alloc(0) });
    let chunks = 0;
    for (let at = Number(r.offset); at < bytes.length; at += size) {
      if (chunks++ === this.breakAfterChunks) {
        this.breakAfterChunks = undefined;
        call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'connection reset' });
        return;
      }
      call.write({ artifact: null, offset: at, chunk: bytes.subarray(at, at + size) });
    }
    call.end();
  }
}
