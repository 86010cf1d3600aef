/*
 * The contracts between the serving parts: the pipeline (recommend.service), the model lifecycle
 * (model-holder.service) and experiments (experiment.service). Plain types, no framework.
 */

/** What a variant serves instead of the default pipeline. */
export type StrategyName = 'default' | 'session_item_to_item' | 'trending' | 'popular';

export interface Treatment {
  /** A specific model version; undefined for the current champion. */
  readonly modelId?: string;
  readonly strategy: StrategyName;
  /** Diversity override, 0 to 1. */
  readonly diversity?: number;
}

/** The experiment variant a request is served by. */
export interface Assignment {
  readonly experimentId: string;
  readonly variantId: string;
  readonly treatment: Treatment;
}

/** Where an item in an answer came from. */
export type SourceName =
  'personalised' | 'session_item_to_item' | 'content' | 'bought_together' | 'trending' | 'popular';
