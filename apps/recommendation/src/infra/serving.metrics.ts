import { Injectable } from '@nestjs/common';
import { CounterChild, MetricsRegistry } from '@app/platform/metrics';
import type { DriftMeasures } from '../domain/input-drift';
import type { SourceName } from '../domain/serving.types';

/** The model serving now, as the metrics describe it. */
export interface ServedModel {
  readonly modelId: string;
  readonly version: number;
  readonly algorithm: string;
  readonly trainedUntil?: Date;
}

/** What `answered` reads of an answer (the pipeline's ServedAnswer fits). */
export interface AnsweredShape {
  readonly items: readonly { readonly source: string }[];
  readonly degradations: readonly unknown[];
}

const SOURCES: readonly SourceName[] = [
  'personalised',
  'session_item_to_item',
  'content',
  'bought_together',
  'trending',
  'popular',
];
/** Answer source of an empty answer; `other` keeps an unexpected source from adding series. */
const NO_ITEMS = 'none';
const OTHER = 'other';

export const DRIFT_MEASURES = { psi: 'psi', jsDistance: 'js_distance', unseenShare: 'unseen_item_share' } as const;

/**
 * What the recommendation service serves, for Prometheus: answers by the source of their first item and by
 * whether they were degraded, items by source, the model serving now (an info series, its version and the
 * age of its training data) and the drift of serving inputs from the training data. Counting costs a few
 * property writes per answer (children bound up front); model and drift figures are read when scraped.
 */
@Injectable()
export class ServingMetrics {
  private readonly answerChildren = new Map<string, { ok: CounterChild; degraded: CounterChild }>();
  private readonly itemChildren = new Map<string, CounterChild>();
  private model: () => ServedModel | undefined = () => undefined;
  private drift: () => DriftMeasures | undefined = () => undefined;
  /** Fewer window inputs than this and the drift series are withdrawn: a handful of requests is not a signal. */
  private minDriftSamples = 1;

  constructor(metrics: MetricsRegistry) {
    const answers = metrics.boundCounter(
      'recommendation_answers_total',
      'Answers served, by the source of their first item (none: empty) and whether a dependency was degraded',
      ['source', 'degraded'],
    );
    const items = metrics.boundCounter('recommendation_answer_items_total', 'Items served, by source', ['source']);
    for (const source of [...SOURCES, NO_ITEMS, OTHER]) {
      this.answerChildren.set(source, {
        ok: answers.labels({ source, degraded: 'false' }),
        degraded: answers.labels({ source, degraded: 'true' }),
      });
    }
    for (const source of [...SOURCES, OTHER]) this.itemChildren.set(source, items.labels({ source }));

    const model = () => this.model();
    metrics.gauge(
      'recommendation_model_info',
      'The champion model serving now (value 1), by id, registry version and algorithm',
      ['model_id', 'version', 'algorithm'],
      function () {
        this.reset();
        const m = model();
        if (m) this.set({ model_id: m.modelId, version: String(m.version), algorithm: m.algorithm }, 1);
      },
    );
    metrics.gauge(
      'recommendation_model_version',
      'Registry version of the champion serving now (0 while none is loaded)',
      [],
      function () {
        this.set(model()?.version ?? 0);
      },
    );
    metrics.gauge(
      'recommendation_model_training_data_age_seconds',
      "Now minus the as-of time of the serving model's training data (no series while unknown)",
      ['model_id'],
      function () {
        this.reset();
        const m = model();
        if (m?.trainedUntil)
          this.set({ model_id: m.modelId }, Math.max(0, (Date.now() - m.trainedUntil.getTime()) / 1000));
      },
    );
    const drift = () => this.drift();
    const enough = () => this.minDriftSamples;
    metrics.gauge(
      'recommendation_input_drift',
      'Serving inputs against the training data, over item-popularity deciles: psi, js_distance, unseen_item_share',
      ['measure'],
      function () {
        this.reset();
        const d = drift();
        if (!d || d.samples < enough()) return;
        this.set({ measure: DRIFT_MEASURES.psi }, d.psi);
        this.set({ measure: DRIFT_MEASURES.jsDistance }, d.jsDistance);
        this.set({ measure: DRIFT_MEASURES.unseenShare }, d.unseenShare);
      },
    );
    metrics.gauge(
      'recommendation_input_drift_samples',
      'Sampled serving inputs (items) in the drift window',
      [],
      function () {
        this.set(drift()?.samples ?? 0);
      },
    );
  }

  /** Reports the model `read` returns when scraped. */
  watchModel(read: () => ServedModel | undefined): void {
    this.model = read;
  }

  /** Reports the drift `read` returns when scraped, once its window holds `minSamples` inputs. */
  watchDrift(read: () => DriftMeasures | undefined, minSamples: number): void {
    this.drift = read;
    this.minDriftSamples = minSamples;
  }

  /** Counts one served answer; call it for every answer, cache hits included. */
  answered(answer: AnsweredShape): void {
    const items = answer.items;
    const first = items.length > 0 ? items[0].source : NO_ITEMS;
    const byDegraded = this.answerChildren.get(first) ?? this.answerChildren.get(OTHER)!;
    (answer.degradations.length > 0 ? byDegraded.degraded : byDegraded.ok).inc();
    for (let i = 0; i < items.length; i++)
      (this.itemChildren.get(items[i].source) ?? this.itemChildren.get(OTHER)!).inc();
  }
}
