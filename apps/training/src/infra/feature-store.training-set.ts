import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ClientGrpcProxy, ClientProxyFactory } from '@nestjs/microservices';
import { commonV1, featureStoreV1 } from '@app/contracts';
import { fromTimestamp, grpcClientOptions, toTimestamp } from '@app/contracts/grpc';
import { APP_CONFIG } from '@app/platform/config';
import { UnavailableError, ValidationError } from '@app/platform/errors';
import { Breaker, CircuitBreakers, isGrpcCallerError } from '@app/platform/resilience';
import { createHash, Hash } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type { FetchProgress, TrainingSetSource } from '../application/training-set.source';
import type { TrainingSetRequest } from '../domain/run';
import { TrainingSnapshot, TrainingSnapshotBuilder } from '../domain/training-snapshot';
import type { TrainingConfig } from '../training.config';

/** Attempts of one fetch: the first, then resumes from the last batch received. */
const MAX_ATTEMPTS = 4;
const RETRY_DELAY_MS = 500;

interface StreamState {
  builder: TrainingSnapshotBuilder;
  resumeToken: string;
  header?: featureStoreV1.TrainingSetHeader;
  received: number;
  /** SHA-256 over every row received, by the recipe in the proto (TrainingSetTrailer.checksum). */
  hash: Hash;
  checksum?: string;
}

/** The line one row adds to the snapshot's checksum (the recipe in the proto). */
export function checksumLine(row: featureStoreV1.TrainingInteraction): string {
  const type = String(row.type).replace('INTERACTION_TYPE_', '').toLowerCase();
  const at = row.occurredAt ? fromTimestamp(row.occurredAt).toISOString() : '';
  return `${row.userId}\t${row.itemId}\t${type}\t${row.weight}\t${at}\t${row.rating ?? ''}\t${row.quantity}\n`;
}

/**
 * The feature store's `StreamTrainingSet` as a TrainingSetSource: reads header, interaction batches, item batches
 * and trailer into a columnar snapshot, resumes an interrupted stream from its last resume token, and checks the
 * row count against the header and the rows against the trailer's checksum. Each attempt goes through the `feature-store.training-set` circuit breaker.
 */
@Injectable()
export class FeatureStoreTrainingSetSource implements TrainingSetSource, OnApplicationShutdown {
  private readonly logger = new Logger('FeatureStoreTrainingSet');
  private readonly client: ClientGrpcProxy;
  private readonly service: featureStoreV1.FeatureStoreServiceClient;
  private readonly breaker: Breaker<
    [featureStoreV1.StreamTrainingSetRequest, StreamState, FetchProgress, AbortSignal],
    void
  >;

  constructor(
    @Inject(APP_CONFIG) private readonly config: TrainingConfig,
    breakers: CircuitBreakers,
  ) {
    this.client = ClientProxyFactory.create(
      grpcClientOptions('feature-store', config.FEATURE_STORE_GRPC_URL, {
        maxReceiveMessageLength: config.GRPC_MAX_MESSAGE_BYTES,
      }),
    ) as ClientGrpcProxy;
    this.service = this.client.getService<featureStoreV1.FeatureStoreServiceClient>(
      featureStoreV1.FEATURE_STORE_SERVICE_NAME,
    );
    this.breaker = breakers.create('feature-store.training-set', (r, s, p, signal) => this.readOnce(r, s, p, signal), {
      // Each attempt enforces its own deadline (and stops its stream); this one only backs it up.
      timeoutMs: config.TRAINING_FETCH_TIMEOUT_MS + 5000,
      volumeThreshold: 3,
      isCallerError: (err) => isGrpcCallerError(err) || (err as Error)?.name === 'AbortError',
    });
  }

  onApplicationShutdown(): void {
    this.client.close();
  }

  async fetch(request: TrainingSetRequest, onProgress: FetchProgress, signal: AbortSignal): Promise<TrainingSnapshot> {
    const base: featureStoreV1.StreamTrainingSetRequest = {
      asOf: toTimestamp(request.asOf),
      windowStart: request.windowStart ? toTimestamp(request.windowStart) : null,
      weights: request.weights.map((w) => ({ type: w.type as commonV1.InteractionType, weight: w.weight })),
      includeSessions: false,
      includeItems: request.includeItems,
      batchSize: this.config.TRAINING_FETCH_BATCH_SIZE,
      resumeToken: '',
    };
    const state: StreamState = {
      builder: new TrainingSnapshotBuilder(),
      resumeToken: '',
      received: 0,
      hash: createHash('sha256'),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.breaker.fire({ ...base, resumeToken: state.resumeToken }, state, onProgress, signal);
        break;
      } catch (err) {
        if (signal.aborted) throw err;
        if (isGrpcCallerError(err)) {
          const details = (err as { details?: string }).details ?? String(err);
          throw new ValidationError([{ field: 'training_set', message: `the feature store refused it: ${details}` }]);
        }
        if (attempt >= MAX_ATTEMPTS || state.resumeToken === '') {
          // Without a resume token a retry would append the same rows twice; start the run again instead.
          const reason = err instanceof Error ? err.message : String(err);
          throw new UnavailableError('FEATURE_STORE.UNAVAILABLE', `Could not stream the training set: ${reason}`, 30);
        }
        this.logger.warn({
          msg: 'training-set stream interrupted; resuming',
          attempt,
          received: state.received,
          error: String(err),
        });
        await new Promise((r) => setTimeout(r, RETRY_DELAY_MS * attempt));
      }
    }
    const header = state.header!;
    if (header.interactionCount !== state.received) {
      throw new UnavailableError(
        'FEATURE_STORE.INCOMPLETE',
        `The training set announced ${header.interactionCount} interactions but ${state.received} arrived`,
      );
    }
    const checksum = state.hash.digest('hex');
    if (state.checksum && state.checksum !== checksum) {
      throw new UnavailableError(
        'FEATURE_STORE.CHECKSUM_MISMATCH',
        `The training set's rows do not match its checksum (${state.checksum}, received ${checksum})`,
      );
    }
    return state.builder.build({
      snapshotId: header.snapshotId,
      asOf: header.asOf ? fromTimestamp(header.asOf) : request.asOf,
      windowStart: header.windowStart ? fromTimestamp(header.windowStart) : request.windowStart,
    });
  }

  /** One stream; resolves at the trailer. Rows land in `state` as they arrive, so a retry continues after them. */
  private readOnce(
    request: featureStoreV1.StreamTrainingSetRequest,
    state: StreamState,
    onProgress: FetchProgress,
    signal: AbortSignal,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let trailer = false;
      let subscription: Subscription | undefined = undefined;
      let deadline: NodeJS.Timeout | undefined = undefined;
      const done = (err?: unknown) => {
        clearTimeout(deadline);
        signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else if (!trailer) reject(new Error('the training-set stream ended without a trailer'));
        else resolve();
      };
      const stop = (err: Error) => {
        subscription?.unsubscribe();
        done(err);
      };
      const onAbort = () => stop(Object.assign(new Error('training-set fetch aborted'), { name: 'AbortError' }));
      signal.addEventListener('abort', onAbort, { once: true });
      deadline = setTimeout(
        () => stop(new Error(`no trailer within ${this.config.TRAINING_FETCH_TIMEOUT_MS} ms`)),
        this.config.TRAINING_FETCH_TIMEOUT_MS,
      );
      subscription = this.service.streamTrainingSet(request).subscribe({
        next: (message) => {
          if (message.header) {
            state.header ??= message.header;
            onProgress(state.received, message.header.interactionCount);
          } else if (message.interactions) {
            for (const row of message.interactions.interactions) {
              const at = row.occurredAt ? row.occurredAt.seconds + row.occurredAt.nanos / 1e9 : Number.NaN;
              state.builder.add(row.userId, row.itemId, row.weight, at);
              state.hash.update(checksumLine(row));
              state.received++;
            }
            state.resumeToken = message.interactions.resumeToken;
            onProgress(state.received, state.header?.interactionCount ?? 0);
          } else if (message.items) {
            for (const item of message.items.items) {
              state.builder.addItem({
                itemId: item.itemId,
                title: item.title || undefined,
                description: item.description || undefined,
                categories: item.categories,
                attributes: { ...item.attributes, ...(item.brand ? { brand: item.brand } : {}) },
              });
            }
          } else if (message.trailer) {
            trailer = true;
            state.checksum = message.trailer.checksum;
          }
        },
        error: (err: unknown) => done(err),
        complete: () => done(),
      });
      if (signal.aborted) onAbort();
    });
  }
}
