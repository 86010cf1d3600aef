/** A step a run has just made durable. */
export interface CheckpointEvent {
  runId: string;
  kind: 'training_set' | 'candidate';
  /** Candidate position in the run (candidates only). */
  index?: number;
  algorithm?: string;
}

/**
 * Observation points of the run pipeline. Production binds none; tests use them to stop a process right after a
 * checkpoint (the "killed midway" scenario) and to see which steps a resumed run really executed.
 */
export interface TrainingRunHooks {
  afterCheckpoint?(event: CheckpointEvent, signal: AbortSignal): Promise<void>;
}

export const TRAINING_RUN_HOOKS = Symbol('TRAINING_RUN_HOOKS');
