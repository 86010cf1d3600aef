import type { BlobValue, DecodedArtifact } from '../artifact/artifact.codec';
import { BaseRecommender, FitContext, UserHistory } from './base.recommender';
import type { ParamSchema } from './params.schema';
import type { Contribution } from './recommender.types';

export type TrendingParams = {
  halfLifeDays: number;
};

export const TRENDING_SCHEMA: ParamSchema = {
  halfLifeDays: {
    type: 'number',
    default: 7,
    min: 0.01,
    search: { min: 0.5, max: 120, log: true },
    doc: 'an event this many days old counts half as much as one happening now',
  },
};

const DAY = 86_400;

/**
 * Time-decayed popularity: score_i = Σ_events w·2^(−age/halfLife), age measured from "now" (the fit's `now`,
 * by default the newest training event). Every event counts, so repeat purchases lift an item, and an item that
 * sold a lot last year fades. The same decay as Gorse's and SAR's time-decayed affinities.
 */
export class TrendingRecommender extends BaseRecommender<TrendingParams> {
  readonly algorithm = 'trending';
  protected readonly modelVersion = 1;
  private trend: Float32Array = new Float32Array(0);
  private recentEvents: Float32Array = new Float32Array(0);

  constructor(params: Partial<TrendingParams> = {}) {
    super(TRENDING_SCHEMA, 'trending', params);
  }

  protected async fitModel({ dataset, now }: FitContext): Promise<{ engine: string }> {
    const decay = Math.LN2 / (this.params.halfLifeDays * DAY);
    const trend = new Float64Array(dataset.numItems);
    const recent = new Float32Array(dataset.numItems);
    for (let p = 0; p < dataset.size; p++) {
      const age = Math.max(0, now - dataset.timestamp[p]);
      const i = dataset.itemIndex[p];
      trend[i] += dataset.weight[p] * Math.exp(-decay * age);
      if (age <= this.params.halfLifeDays * DAY) recent[i]++;
    }
    this.trend = Float32Array.from(trend);
    this.recentEvents = recent;
    return { engine: 'js' };
  }

  scoreInto(_history: UserHistory, out: Float32Array): void {
    out.set(this.trend);
  }

  protected similarInto(_item: number, out: Float32Array): boolean {
    out.set(this.trend);
    return true;
  }

  protected contributions(_history: UserHistory, item: number): { list: Contribution[] } {
    return {
      list: [
        {
          kind: 'trend',
          id: 'decayed-interactions',
          weight: this.trend[item],
          detail: `${this.recentEvents[item]} events in the last ${this.params.halfLifeDays} days (half-life)`,
        },
      ],
    };
  }

  protected modelBlobs(): Record<string, BlobValue> {
    return { trend: this.trend, recentEvents: this.recentEvents };
  }

  protected restoreModel(artifact: DecodedArtifact): void {
    this.trend = artifact.blob<Float32Array>('trend');
    this.recentEvents = artifact.blob<Float32Array>('recentEvents');
  }
}
