import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ClientGrpcProxy, ClientProxyFactory } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { trainingV1 } from '@app/contracts';
import { fromOptionalTimestamp, grpcClientOptions } from '@app/contracts/grpc';
import { APP_CONFIG } from '@app/platform/config';
import { Breaker, CircuitBreakers, isGrpcCallerError, unaryCall } from '@app/platform/resilience';
import { createHash } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type { RecommendationConfig } from '../recommendation.config';

/** A registered model as the recommendation service needs it. */
export interface ModelRef {
  modelId: string;
  version: number;
  algorithm: string;
  /** `sha256:<hex>`, the format of the `models.v1.promoted` event. */
  checksum: string;
  /** The training data's as-of time, when the registry says. */
  trainedUntil?: Date;
}

/** The downloaded bytes do not hash to the checksum training announced: never load them. */
export class ArtifactChecksumError extends Error {
  constructor(
    readonly modelId: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`artifact of model ${modelId} hashes to ${actual}, expected ${expected}; refused`);
    this.name = 'ArtifactChecksumError';
  }
}

/** Attempts of one artifact download: the first, then resumes from the last byte received. */
const ARTIFACT_ATTEMPTS = 3;
const RESUME_DELAY_MS = 250;
/** A recovered training service should be noticed within seconds, not after grpc-js's 2-minute backoff cap. */
const MAX_RECONNECT_BACKOFF_MS = 5_000;

export function checksumOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** `sha256:<hex>` whichever way it was written (the registry stores bare hex, the event carries the prefix). */
export function normaliseChecksum(value: string): string {
  const hex = value
    .trim()
    .toLowerCase()
    .replace(/^sha256:/, '');
  return `sha256:${hex}`;
}

function toRef(model: trainingV1.Model): ModelRef {
  return {
    modelId: model.modelId,
    version: Number(model.version),
    algorithm: model.algorithm,
    checksum: normaliseChecksum(model.artifact?.sha256 ?? ''),
    trainedUntil: fromOptionalTimestamp(model.dataWindow?.asOf),
  };
}

interface Download {
  readonly modelId: string;
  /** Epoch ms by which the whole download, resumes included, must be done. */
  readonly deadlineAt: number;
  chunks: Buffer[];
  received: number;
  artifact?: trainingV1.Artifact;
}

/**
 * The training service's model registry over gRPC: champion and model metadata (`GetModel`) and artifact bytes
 * (`GetModelArtifact`, resumed from the last offset when the stream breaks, checksum verified). Every call has a
 * deadline and goes through a circuit breaker (`training.model`, `training.artifact`), so an outage costs the
 * caller a fast rejection, never a hang.
 */
@Injectable()
export class TrainingClient implements OnApplicationShutdown {
  private readonly logger = new Logger('TrainingClient');
  private readonly client: ClientGrpcProxy;
  private readonly service: trainingV1.TrainingServiceClient;
  private readonly modelBreaker: Breaker<[trainingV1.GetModelRequest], ModelRef | undefined>;
  private readonly artifactBreaker: Breaker<[Download], void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: RecommendationConfig,
    breakers: CircuitBreakers,
  ) {
    this.client = ClientProxyFactory.create(
      grpcClientOptions('training', config.TRAINING_GRPC_URL, {
        maxReceiveMessageLength: config.GRPC_MAX_MESSAGE_BYTES,
        channelOptions: { 'grpc.max_reconnect_backoff_ms': MAX_RECONNECT_BACKOFF_MS },
      }),
    ) as ClientGrpcProxy;
    this.service = this.client.getService<trainingV1.TrainingServiceClient>(trainingV1.TRAINING_SERVICE_NAME);
    this.modelBreaker = breakers.create('training.model', (request) => this.getModel(request), {
      // unaryCall enforces the deadline; the breaker's own timeout only backs it up.
      timeoutMs: config.RECOMMENDATION_TRAINING_TIMEOUT_MS + 1000,
      volumeThreshold: 3,
      resetTimeoutMs: 5000,
    });
    this.artifactBreaker = breakers.create('training.artifact', (download) => this.streamOnce(download), {
      timeoutMs: config.RECOMMENDATION_ARTIFACT_TIMEOUT_MS + 1000,
      volumeThreshold: 3,
      resetTimeoutMs: 5000,
    });
  }

  onApplicationShutdown(): void {
    this.client.close();
  }

  /** The current champion; undefined when training has none yet. */
  champion(): Promise<ModelRef | undefined> {
    return this.modelBreaker.fire({ alias: trainingV1.ModelAlias.CHAMPION });
  }

  /** One model by id; undefined when training does not know it. */
  model(modelId: string): Promise<ModelRef | undefined> {
    return this.modelBreaker.fire({ modelId });
  }

  /**
   * The artifact's bytes, verified against the checksum in the stream's metadata and, when given, against
   * `expectedChecksum` (what the promotion event or GetModel announced). Throws ArtifactChecksumError on a mismatch.
   */
  async artifact(modelId: string, expectedChecksum?: string): Promise<Buffer> {
    const download: Download = {
      modelId,
      deadlineAt: Date.now() + this.config.RECOMMENDATION_ARTIFACT_TIMEOUT_MS,
      chunks: [],
      received: 0,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.artifactBreaker.fire(download);
        break;
      } catch (err) {
        const resumable = download.received > 0 && !isGrpcCallerError(err);
        if (!resumable || attempt >= ARTIFACT_ATTEMPTS || Date.now() >= download.deadlineAt) throw err;
        this.logger.warn({
          msg: 'artifact stream interrupted; resuming',
          modelId,
          attempt,
          received: download.received,
          error: String(err),
        });
        await new Promise((r) => setTimeout(r, RESUME_DELAY_MS * attempt));
      }
    }
    const bytes = Buffer.concat(download.chunks, download.received);
    const artifact = download.artifact!;
    const announced = normaliseChecksum(artifact.sha256);
    const actual = checksumOf(bytes);
    if (actual !== announced) throw new ArtifactChecksumError(modelId, announced, actual);
    if (expectedChecksum !== undefined && normaliseChecksum(expectedChecksum) !== announced) {
      throw new ArtifactChecksumError(modelId, normaliseChecksum(expectedChecksum), announced);
    }
    if (artifact.sizeBytes && artifact.sizeBytes !== bytes.length) {
      throw new Error(
        `artifact of model ${modelId} has ${bytes.length} bytes, the registry recorded ${artifact.sizeBytes}`,
      );
    }
    return bytes;
  }

  private async getModel(request: trainingV1.GetModelRequest): Promise<ModelRef | undefined> {
    try {
      const response = await unaryCall((metadata) => this.service.getModel(request, metadata), {
        timeoutMs: this.config.RECOMMENDATION_TRAINING_TIMEOUT_MS,
        target: 'training',
      });
      return response.model ? toRef(response.model) : undefined;
    } catch (err) {
      // NOT_FOUND is an answer ("no champion yet", "no such model"), not an outage.
      if ((err as { code?: unknown })?.code === GrpcStatus.NOT_FOUND) return undefined;
      throw err;
    }
  }

  /** One stream from `download.received` on; chunks land in `download` as they arrive, so a retry resumes. */
  private streamOnce(download: Download): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let subscription: Subscription | undefined = undefined;
      let settled = false;
      const finish = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        subscription?.unsubscribe();
        if (err) reject(err instanceof Error ? err : Object.assign(new Error(String(err)), err));
        else resolve();
      };
      const deadline = setTimeout(
        () =>
          finish(
            new Error(
              `training did not deliver the artifact of ${download.modelId} within ${this.config.RECOMMENDATION_ARTIFACT_TIMEOUT_MS} ms`,
            ),
          ),
        Math.max(download.deadlineAt - Date.now(), 1),
      );
      const request: trainingV1.GetModelArtifactRequest = {
        modelId: download.modelId,
        offset: download.received,
        chunkSize: 0,
      };
      subscription = this.service.getModelArtifact(request).subscribe({
        next: (message) => {
          if (message.artifact) {
            if (download.artifact && download.artifact.sha256 !== message.artifact.sha256) {
              finish(new Error(`the artifact of ${download.modelId} changed while it was downloaded`));
              return;
            }
            download.artifact ??= message.artifact;
          }
          if (!message.chunk || message.chunk.length === 0) return;
          if (Number(message.offset) !== download.received) {
            finish(new Error(`artifact chunk at offset ${message.offset}, expected ${download.received}`));
            return;
          }
          download.chunks.push(message.chunk);
          download.received += message.chunk.length;
        },
        error: (err: unknown) => finish(err),
        complete: () =>
          finish(download.artifact ? undefined : new Error('the artifact stream ended without its description')),
      });
      if (settled) subscription.unsubscribe();
    });
  }
}
