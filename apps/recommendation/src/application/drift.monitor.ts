import { Inject, Injectable, Optional } from '@nestjs/common';
import { isIndexedRecommender, type IndexedRecommender } from '@app/recsys';
import {
  driftMeasures,
  DriftMeasures,
  DriftWindow,
  POPULARITY_BUCKETS,
  popularityReference,
  PopularityReference,
} from '../domain/input-drift';
import { ServingMetrics } from '../infra/serving.metrics';
import { LoadedModel, ModelHolder } from './model-holder.service';

export interface DriftOptions {
  /** One request in this many has its inputs counted (a counter, not a coin: cheap and even). */
  sampleEvery: number;
  /** At most this many of a request's input items are counted, the newest. */
  maxItemsPerRequest: number;
  /** Length of the sliding window the serving distribution is taken over. */
  windowMs: number;
  /** Time slices of the window (it slides by one slice at a time). */
  slots: number;
  /** Below this many inputs in the window, no drift is reported. */
  minSamples: number;
  /** Users whose training history is counted per event-loop turn while the reference is built. */
  usersPerTurn: number;
}

export const DEFAULT_DRIFT_OPTIONS: DriftOptions = {
  sampleEvery: 4,
  maxItemsPerRequest: 20,
  windowMs: 60 * 60_000,
  slots: 12,
  minSamples: 200,
  usersPerTurn: 20_000,
};

/** Overrides of DEFAULT_DRIFT_OPTIONS (tests). */
export const DRIFT_OPTIONS = Symbol('DRIFT_OPTIONS');

/**
 * Watches whether the items shoppers bring to requests (their session and recent history) still look like
 * the data the serving model was trained on: a sample of those items goes into a sliding window of
 * popularity-decile counts, compared on scrape with the training data's own spread (see domain/input-drift).
 * The reference is rebuilt from the model's training history whenever the champion changes, a slice of users
 * per event-loop turn so that a large model does not stall requests; inputs seen meanwhile are not counted.
 */
@Injectable()
export class DriftMonitor {
  private readonly options: DriftOptions;
  private readonly window: DriftWindow;
  private calls = 0;
  /** The model the window and reference belong to. */
  private model?: LoadedModel;
  private reference?: PopularityReference;
  private building?: Promise<void>;

  constructor(
    @Inject(ModelHolder) private readonly models: Pick<ModelHolder, 'current'>,
    metrics: ServingMetrics,
    @Optional() @Inject(DRIFT_OPTIONS) options?: Partial<DriftOptions>,
  ) {
    this.options = { ...DEFAULT_DRIFT_OPTIONS, ...options };
    const { windowMs, slots } = this.options;
    this.window = new DriftWindow(POPULARITY_BUCKETS + 1, slots, windowMs / slots);
    metrics.watchModel(() => this.models.current());
    metrics.watchDrift(() => this.measures(), this.options.minSamples);
  }

  /**
   * The input items of one request, oldest first (a session's items, a consenting user's recent history).
   * Cheap: most calls only bump a counter; a sampled one costs a map lookup per item.
   */
  observe(itemIds: readonly string[]): void {
    if (itemIds.length === 0 || ++this.calls % this.options.sampleEvery !== 0) return;
    const model = this.current();
    const reference = this.reference;
    if (!model || !reference) return;
    const ids = (model.recommender as IndexedRecommender).itemIds;
    const now = Date.now();
    for (let k = Math.max(0, itemIds.length - this.options.maxItemsPerRequest); k < itemIds.length; k++) {
      const i = ids.indexOf(itemIds[k]);
      this.window.add(i >= 0 ? reference.bucketOf[i] : reference.unseen, now);
    }
  }

  /** Drift of the window against the serving model's training data; undefined while there is no reference. */
  measures(): DriftMeasures | undefined {
    this.current();
    if (!this.reference) return undefined;
    return driftMeasures(this.reference, this.window.totals(Date.now()));
  }

  /** Resolves when the reference of the serving model is built (tests, and callers that want to wait). */
  async ready(): Promise<void> {
    this.current();
    await this.building;
  }

  /** The serving model if the monitor can follow it (indexed models), switching window and reference on a swap. */
  private current(): LoadedModel | undefined {
    const model = this.models.current();
    if (model !== this.model) {
      this.model = model;
      this.reference = undefined;
      this.window.clear();
      this.building = model && isIndexedRecommender(model.recommender) ? this.build(model) : undefined;
    }
    return model && this.reference ? model : undefined;
  }

  private async build(model: LoadedModel): Promise<void> {
    const recommender = model.recommender as IndexedRecommender;
    const counts = new Float64Array(recommender.itemIds.size);
    const users = recommender.userIds.size;
    for (let u = 0; u < users; u++) {
      for (const i of recommender.historyOfUser(u).items) counts[i] += 1;
      if ((u + 1) % this.options.usersPerTurn === 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.model !== model) return; // swapped again meanwhile
      }
    }
    if (this.model === model) this.reference = popularityReference(counts);
  }
}
