import type { TrainingSetRequest } from '../domain/run';
import type { TrainingSnapshot } from '../domain/training-snapshot';

/** Rows streamed so far of the expected total (0 while unknown). */
export type FetchProgress = (done: number, total: number) => void;

/** Where training sets come from: the feature store's point-in-time stream (a stand-in in tests). */
export interface TrainingSetSource {
  fetch(request: TrainingSetRequest, onProgress: FetchProgress, signal: AbortSignal): Promise<TrainingSnapshot>;
}

export const TRAINING_SET_SOURCE = Symbol('TRAINING_SET_SOURCE');
