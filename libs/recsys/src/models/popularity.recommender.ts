import type { BlobValue, DecodedArtifact } from '../artifact/artifact.codec';
import { BaseRecommender, FitContext, UserHistory } from './base.recommender';
import type { ParamSchema } from './params.schema';
import type { Contribution } from './recommender.types';

export type PopularityParams = {
  by: 'users' | 'weight';
};

export const POPULARITY_SCHEMA: ParamSchema = {
  by: {
    type: 'enum',
    default: 'users',
    values: ['users', 'weight'],
    doc: 'count distinct users per item, or sum interaction weights',
  },
};

/**
 * The non-personalised baseline every model must beat, and the last step of the serving fallback chain.
 * Counting distinct users (not events) keeps a few heavy buyers from dominating.
 */
export class PopularityRecommender extends BaseRecommender<PopularityParams> {
  readonly algorithm = 'popularity';
  protected readonly modelVersion = 1;
  private popularity: Float32Array = new Float32Array(0);

  constructor(params: Partial<PopularityParams> = {}) {
    super(POPULARITY_SCHEMA, 'popularity', params);
  }

  protected async fitModel({ matrix }: FitContext): Promise<{ engine: string }> {
    this.popularity =
      this.params.by === 'users' ? Float32Array.from(matrix.columnCounts()) : Float32Array.from(matrix.columnSums());
    return { engine: 'js' };
  }

  scoreInto(_history: UserHistory, out: Float32Array): void {
    out.set(this.popularity);
  }

  protected similarInto(_item: number, out: Float32Array): boolean {
    out.set(this.popularity);
    return true;
  }

  protected contributions(_history: UserHistory, item: number): { list: Contribution[] } {
    const detail = this.params.by === 'users' ? 'distinct users who interacted' : 'sum of interaction weights';
    return { list: [{ kind: 'popularity', id: this.params.by, weight: this.popularity[item], detail }] };
  }

  protected modelBlobs(): Record<string, BlobValue> {
    return { popularity: this.popularity };
  }

  protected restoreModel(artifact: DecodedArtifact): void {
    this.popularity = artifact.blob<Float32Array>('popularity');
  }
}
