import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { defaultRegistry, isIndexedRecommender, readArtifactHeader, Recommender } from '@app/recsys';
import { APP_CONFIG } from '@app/platform/config';
import type { ModelRef } from '../infra/training.client';
import { TrainingClient } from '../infra/training.client';
import type { RecommendationConfig } from '../recommendation.config';

export interface LoadedModel {
  modelId: string;
  version: number;
  algorithm: string;
  checksum: string;
  recommender: Recommender;
  loadedAt: Date;
  /** End of the data it was trained on (for the training-data age metric); undefined when unknown. */
  trainedUntil?: Date;
}

export interface ModelStatus {
  state: 'none' | 'loading' | 'ready';
  modelId?: string;
  lastError?: string;
}

/** A promotion as announced on the bus. */
export interface Promotion extends ModelRef {
  /** A rollback names an older version on purpose; anything else older than what we serve is stale. */
  reason?: string;
  /** The training data's as-of time (`trainedUntil` of the event). */
  trainedUntil?: Date;
}

/** Non-champion versions kept for experiment variants. */
const VARIANT_CACHE_SIZE = 3;
/** After a variant failed to load, requests for it answer undefined at once for this long. */
const VARIANT_RETRY_MS = 30_000;
const STARTUP_BACKOFF_MS = { first: 1_000, max: 30_000 };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Holds the model the service recommends with, and replaces it without a restart. Sources of truth, in order of
 * freshness: `models.v1.promoted` events (live, may be missed), the periodic champion check (catches up every
 * RECOMMENDATION_MODEL_CHECK_INTERVAL_SECONDS, so replicas converge), and the start-up load (retried with backoff
 * while training is down). A load is fetch → verify checksum → deserialize → warm up → swap in one assignment;
 * a failed load keeps the current model. Loads run one at a time, always towards the newest wanted version.
 */
@Injectable()
export class ModelHolder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ModelHolder');
  private active?: LoadedModel;
  /** The champion we want to serve; loads run until `active` matches it or its load fails. */
  private wanted?: ModelRef;
  /** The last wanted model whose load failed; not retried until it is asked for again. */
  private failed?: ModelRef;
  private running?: Promise<void>;
  /** Bumped by every promotion event, so a champion check that started before one cannot undo it. */
  private epoch = 0;
  private lastError?: string;
  private startingUp = false;
  private stopped = false;
  private startupTimer?: NodeJS.Timeout;
  private checkTimer?: NodeJS.Timeout;
  private checking?: Promise<void>;
  private readonly variants = new Map<string, LoadedModel>();
  private readonly variantLoads = new Map<string, Promise<LoadedModel | undefined>>();
  private readonly variantFailures = new Map<string, number>();

  constructor(
    private readonly training: TrainingClient,
    @Inject(APP_CONFIG)
    private readonly config: Pick<RecommendationConfig, 'RECOMMENDATION_MODEL_CHECK_INTERVAL_SECONDS'>,
  ) {}

  /** Starts loading the champion without holding up the app start; requests get fallbacks meanwhile. */
  onApplicationBootstrap(): void {
    this.stopped = false;
    this.startingUp = true;
    void this.startup(STARTUP_BACKOFF_MS.first);
    const seconds = this.config.RECOMMENDATION_MODEL_CHECK_INTERVAL_SECONDS;
    if (seconds > 0) {
      this.checkTimer = setInterval(() => void this.checkChampion(), seconds * 1000);
      this.checkTimer.unref();
    }
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.startupTimer);
    clearInterval(this.checkTimer);
  }

  /** The model serving now; synchronous and cheap (called on every request). */
  current(): LoadedModel | undefined {
    return this.active;
  }

  status(): ModelStatus {
    const state = this.active ? 'ready' : this.running || this.startingUp ? 'loading' : 'none';
    return {
      state,
      ...(this.active ? { modelId: this.active.modelId } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /**
   * A specific version (for experiment variants): loaded on first use and kept (a few, LRU); undefined when it
   * cannot be loaded now.
   */
  async byId(modelId: string): Promise<LoadedModel | undefined> {
    if (this.active?.modelId === modelId) return this.active;
    const cached = this.variants.get(modelId);
    if (cached) {
      this.variants.delete(modelId);
      this.variants.set(modelId, cached);
      return cached;
    }
    const failedAt = this.variantFailures.get(modelId);
    if (failedAt !== undefined && Date.now() - failedAt < VARIANT_RETRY_MS) return undefined;
    let load = this.variantLoads.get(modelId);
    if (!load) {
      load = this.loadVariant(modelId).finally(() => this.variantLoads.delete(modelId));
      this.variantLoads.set(modelId, load);
    }
    return load;
  }

  /**
   * A `models.v1.promoted` event: loads it unless we already serve that version or a newer one (a rollback is
   * honoured although older). Resolves when the load settled; never rejects.
   */
  promoted(event: Promotion): Promise<void> {
    const serving = this.wanted && this.wanted !== this.failed ? this.wanted : this.active;
    if (serving?.modelId === event.modelId) return this.settled();
    if (serving && event.version <= serving.version && event.reason !== 'rollback') {
      this.logger.log({ msg: 'ignoring stale promotion', modelId: event.modelId, version: event.version });
      return this.settled();
    }
    this.epoch++;
    return this.want({
      modelId: event.modelId,
      version: event.version,
      algorithm: event.algorithm,
      checksum: event.checksum,
      trainedUntil: event.trainedUntil,
    });
  }

  /** Asks training for the champion and loads it if it is not the one serving. Never rejects. */
  checkChampion(): Promise<void> {
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async check(): Promise<void> {
    const epoch = this.epoch;
    let champion: ModelRef | undefined;
    try {
      champion = await this.training.champion();
    } catch (err) {
      this.lastError = `champion check failed: ${message(err)}`;
      this.logger.warn({ msg: 'champion check failed; the current model keeps serving', error: message(err) });
      return;
    }
    if (!champion) return;
    if (epoch !== this.epoch) return; // a promotion arrived meanwhile and is fresher than this answer
    if (champion.modelId === this.active?.modelId) {
      if (!this.running) this.lastError = undefined;
      return;
    }
    await this.want(champion);
  }

  private async startup(delayMs: number): Promise<void> {
    if (this.stopped) return;
    let champion: ModelRef | undefined;
    try {
      champion = await this.training.champion();
    } catch (err) {
      this.lastError = `loading the champion at start-up failed: ${message(err)}`;
      this.logger.warn({
        msg: 'training unavailable at start-up; serving fallbacks, retrying',
        retryInMs: delayMs,
        error: message(err),
      });
      this.retryStartup(delayMs);
      return;
    }
    if (!champion) {
      this.startingUp = false;
      this.logger.log({ msg: 'training has no champion yet; serving fallbacks until one is promoted' });
      return;
    }
    if (this.active || this.wanted) {
      this.startingUp = false; // an event or a check got there first
      return;
    }
    await this.want(champion);
    if (!this.active) this.retryStartup(delayMs);
    else this.startingUp = false;
  }

  private retryStartup(delayMs: number): void {
    if (this.stopped || this.active) {
      this.startingUp = false;
      return;
    }
    this.startupTimer = setTimeout(() => void this.startup(Math.min(delayMs * 2, STARTUP_BACKOFF_MS.max)), delayMs);
    this.startupTimer.unref();
  }

  private want(ref: ModelRef & Pick<Promotion, 'trainedUntil'>): Promise<void> {
    this.wanted = ref;
    if (this.failed?.modelId === ref.modelId) this.failed = undefined;
    if (!this.running && this.needsLoad()) {
      // The loop awaits at least once, so `running` is assigned before its finally clears it.
      this.running = (async () => {
        try {
          while (this.needsLoad()) await this.loadWanted();
        } finally {
          this.running = undefined;
        }
      })();
    }
    return this.settled();
  }

  private settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private needsLoad(): boolean {
    const wanted = this.wanted;
    return !!wanted && wanted.modelId !== this.active?.modelId && wanted !== this.failed;
  }

  private async loadWanted(): Promise<void> {
    const ref = this.wanted!;
    const started = Date.now();
    try {
      // A former champion kept for experiments comes back at once (a rollback costs no download).
      const kept = this.variants.get(ref.modelId);
      const loaded = kept && kept.checksum === ref.checksum ? kept : await this.load(ref);
      this.swap(loaded, Date.now() - started);
    } catch (err) {
      this.failed = ref;
      this.lastError = `loading model ${ref.modelId} (version ${ref.version}) failed: ${message(err)}`;
      this.logger.error({
        msg: 'model load failed; the current model keeps serving',
        modelId: ref.modelId,
        version: ref.version,
        serving: this.active?.modelId ?? null,
        error: message(err),
      });
    }
  }

  private swap(next: LoadedModel, loadMs: number): void {
    const previous = this.active;
    this.active = next; // the swap: requests read `active` once and keep the model they got
    this.lastError = undefined;
    this.variants.delete(next.modelId);
    if (previous) this.remember(previous); // an experiment may still ask for the old champion
    this.logger.log({
      msg: 'model swapped in',
      from: previous ? { modelId: previous.modelId, version: previous.version } : null,
      to: { modelId: next.modelId, version: next.version, algorithm: next.algorithm },
      loadMs,
    });
  }

  /** Fetch, verify, deserialize, warm up; throws on any failure and touches nothing shared. */
  private async load(ref: ModelRef): Promise<LoadedModel> {
    const bytes = await this.training.artifact(ref.modelId, ref.checksum);
    const recommender = defaultRegistry.deserialize(bytes);
    warmUp(recommender);
    return {
      modelId: ref.modelId,
      version: ref.version,
      algorithm: ref.algorithm || recommender.algorithm,
      checksum: ref.checksum,
      recommender,
      loadedAt: new Date(),
      trainedUntil: trainingDataAsOf(ref, bytes),
    };
  }

  private async loadVariant(modelId: string): Promise<LoadedModel | undefined> {
    try {
      const ref = await this.training.model(modelId);
      if (!ref) throw new Error('training does not know this model');
      const loaded = await this.load(ref);
      this.variantFailures.delete(modelId);
      if (this.active?.modelId === modelId) return this.active;
      this.remember(loaded);
      this.logger.log({ msg: 'variant model loaded', modelId, version: loaded.version });
      return loaded;
    } catch (err) {
      this.variantFailures.set(modelId, Date.now());
      this.logger.warn({ msg: 'variant model unavailable', modelId, error: message(err) });
      return undefined;
    }
  }

  private remember(model: LoadedModel): void {
    this.variants.delete(model.modelId);
    this.variants.set(model.modelId, model);
    while (this.variants.size > VARIANT_CACHE_SIZE) this.variants.delete(this.variants.keys().next().value!);
  }
}

/**
 * The as-of time of a model's training data: from the registry or the promotion event when they say, else the
 * newest interaction the model was fitted on (`meta.now` in the artifact header, seconds since the epoch).
 */
export function trainingDataAsOf(ref: ModelRef & { trainedUntil?: Date }, artifact: Uint8Array): Date | undefined {
  if (ref.trainedUntil) return ref.trainedUntil;
  try {
    const now = Number(readArtifactHeader(artifact).meta.now);
    return Number.isFinite(now) && now > 0 ? new Date(now * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One recommendation and one similar-items call before the model serves, so lazily built structures (score
 * buffers, neighbour lists, decoded blobs) are built now and not on a shopper's request; also proves it answers.
 */
export function warmUp(recommender: Recommender): void {
  if (isIndexedRecommender(recommender)) {
    const user = recommender.userIds.size > 0 ? recommender.userIds.idOf(0) : undefined;
    const item = recommender.itemIds.size > 0 ? recommender.itemIds.idOf(0) : undefined;
    recommender.recommend(user !== undefined ? { userId: user } : { items: item !== undefined ? [item] : [] }, 10);
    if (item !== undefined) recommender.similarItems(item, 10);
    return;
  }
  recommender.recommend({ items: [] }, 10);
}
