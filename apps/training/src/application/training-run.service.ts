import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform/config';
import { FieldViolation, NotFoundError, ValidationError } from '@app/platform/errors';
import { randomUUID } from 'node:crypto';
import { DataSource, QueryRunner } from 'typeorm';
import {
  CandidateSpec,
  EvaluationSpec,
  ParamValue,
  Run,
  RunSpec,
  RunState,
  RunTrigger,
  SplitMethod,
} from '../domain/run';
import { Clock } from '../infra/clock';
import { RunRepository } from '../infra/run.repository';
import type { TrainingConfig } from '../training.config';
import { candidateViolations } from './candidate.params';
import { RunExecutor } from './run.executor';

/** pg_try_advisory_lock class of run locks: the process holding a run's lock is the one executing it. */
const RUN_LOCK_CLASS = 73_010_002;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A run found running with no process holding it was interrupted (crash, kill, OOM); after this many, give up. */
export const MAX_ORPHAN_RESUMES = 10;

/** Who asks for scheduled and new-data runs. */
export const SCHEDULE_ACTOR = 'schedule';
export const NEW_DATA_ACTOR = 'new-data';

export interface StartRunInput {
  requestId?: string;
  candidates: CandidateSpec[];
  asOf?: Date;
  windowStart?: Date;
  weights: { type: string; weight: number }[];
  evaluation: Partial<EvaluationSpec>;
  autoPromote: boolean;
  requestedBy: string;
  trigger: RunTrigger;
}

/** Parameters the service gives an algorithm when a request does not: the hybrid tunes on what it is judged by. */
const DEFAULT_PARAMS: Record<string, (split: SplitMethod) => Record<string, ParamValue>> = {
  hybrid: (split): Record<string, ParamValue> =>
    split === 'temporal' || split === 'leave-last-out' ? { validation: split } : {},
};

/**
 * Training runs: created on request (idempotent by request id), on a schedule and when enough new events
 * arrived; executed in the background one at a time per process. A process executes a run only while it holds
 * the run's PostgreSQL advisory lock, which dies with its connection: a run whose process was killed is picked
 * up by the next poll of any process (or at start-up) and resumes from its checkpoint.
 */
@Injectable()
export class TrainingRunService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('TrainingRuns');
  private timer?: NodeJS.Timeout;
  private loop?: Promise<void>;
  private wake?: () => void;
  private stopping = false;
  private current?: { runId: string; controller: AbortController };

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunRepository,
    private readonly executor: RunExecutor,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: TrainingConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.loop = this.work();
    const minutes = this.config.TRAINING_SCHEDULE_INTERVAL_MINUTES;
    if (minutes > 0) {
      this.timer = setInterval(() => {
        this.runScheduled().catch((err: unknown) =>
          this.logger.error({ msg: 'could not start the scheduled run', error: String(err) }),
        );
      }, minutes * 60_000);
      this.timer.unref();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    // The run keeps its state and checkpoint; the next process resumes it.
    this.current?.controller.abort();
    this.wake?.();
    await this.loop;
  }

  /** Creates a run (or returns the one with the same request id, re-queued if it had failed or been cancelled). */
  async request(input: StartRunInput): Promise<Run> {
    const spec = this.specOf(input);
    const { run, created } = await this.runs.createOnce({
      runId: randomUUID(),
      requestId: input.requestId,
      trigger: input.trigger,
      requestedBy: input.requestedBy,
      spec,
      createdAt: this.clock.now(),
    });
    if (created) {
      this.logger.log({
        msg: 'run queued',
        runId: run.runId,
        trigger: run.trigger,
        candidates: spec.candidates.map((c) => c.algorithm),
        asOf: spec.trainingSet.asOf.toISOString(),
      });
    } else if (await this.runs.requeue(run.runId)) {
      this.logger.log({ msg: 'run re-queued to resume from its checkpoint', runId: run.runId, was: run.state });
    }
    this.wake?.();
    return (await this.runs.find(run.runId))!;
  }

  async get(runId: string): Promise<Run> {
    const run = /^[0-9a-f-]{36}$/i.test(runId) ? await this.runs.find(runId) : undefined;
    if (!run) throw new NotFoundError('RUN.NOT_FOUND', `No run ${runId}`);
    return run;
  }

  list(state: RunState | undefined, limit: number, offset: number): Promise<Run[]> {
    return this.runs.list(state, limit, offset);
  }

  /** Stops a queued or running run; its checkpoint is kept (StartRun with its request id resumes it). */
  async cancel(runId: string): Promise<Run> {
    await this.get(runId);
    if (await this.runs.cancel(runId, this.clock.now())) {
      this.logger.log({ msg: 'run cancelled', runId });
      if (this.current?.runId === runId) this.current.controller.abort();
    }
    return this.get(runId);
  }

  /** The scheduled run; skipped while another is queued or running. One per interval slot across replicas. */
  async runScheduled(): Promise<Run | undefined> {
    if (this.stopping || (await this.runs.hasActive())) return undefined;
    const intervalMs = this.config.TRAINING_SCHEDULE_INTERVAL_MINUTES * 60_000;
    const slot = Math.floor(this.clock.now().getTime() / intervalMs);
    return this.request(this.automatic('schedule', `schedule:${slot}`));
  }

  /** Counts a consumed interaction event; starts a run when enough arrived since the last one. */
  async onInteractionEvent(publishedAt: Date): Promise<Run | undefined> {
    const threshold = this.config.TRAINING_MIN_NEW_EVENTS;
    const count = await this.runs.countNewEvent(publishedAt);
    if (threshold === 0 || count < threshold || this.stopping || (await this.runs.hasActive())) return undefined;
    const after = (await this.runs.latestRunId()) ?? 'none';
    this.logger.log({ msg: 'enough new events; starting a run', newEvents: count, threshold });
    return this.request(this.automatic('new_data', `new-data:after:${after}`));
  }

  private automatic(trigger: RunTrigger, requestId: string): StartRunInput {
    return {
      requestId,
      candidates: [],
      weights: [],
      evaluation: {},
      autoPromote: this.config.TRAINING_AUTO_PROMOTE,
      requestedBy: trigger === 'schedule' ? SCHEDULE_ACTOR : NEW_DATA_ACTOR,
      trigger,
    };
  }

  /** Fills defaults from the configuration and validates what needs the algorithm registry. */
  private specOf(input: StartRunInput): RunSpec {
    const c = this.config;
    const evaluation: EvaluationSpec = {
      split: input.evaluation.split ?? 'temporal',
      trainRatio: input.evaluation.trainRatio || c.TRAINING_TRAIN_RATIO,
      seed: input.evaluation.seed || c.TRAINING_SEED,
      k: input.evaluation.k || c.TRAINING_METRIC_K,
      primaryMetric: input.evaluation.primaryMetric || c.TRAINING_PRIMARY_METRIC,
    };
    const requested =
      input.candidates.length > 0
        ? input.candidates
        : c.TRAINING_CANDIDATES.split(',').map((algorithm) => ({ algorithm, params: {}, tuningBudgetSeconds: 0 }));
    const candidates = requested.map((spec) => ({
      ...spec,
      params: { ...DEFAULT_PARAMS[spec.algorithm]?.(evaluation.split), ...spec.params },
    }));
    const violations: FieldViolation[] = candidates.flatMap((spec, i) => candidateViolations(spec, `candidates[${i}]`));
    const asOf = input.asOf ?? this.clock.now();
    const windowStart =
      input.windowStart ??
      (c.TRAINING_WINDOW_DAYS > 0 ? new Date(asOf.getTime() - c.TRAINING_WINDOW_DAYS * DAY_MS) : undefined);
    if (windowStart && windowStart >= asOf) {
      violations.push({ field: 'window_start', message: 'must be before as_of' });
    }
    if (violations.length > 0) throw new ValidationError(violations);
    return {
      candidates,
      evaluation,
      trainingSet: {
        asOf,
        windowStart,
        weights: input.weights,
        includeItems: candidates.some((s) => s.algorithm === 'content' || s.algorithm === 'hybrid'),
      },
      autoPromote: input.autoPromote,
      margin: c.TRAINING_PROMOTION_MARGIN,
    };
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      let ran = false;
      try {
        ran = await this.runNext();
      } catch (err) {
        this.logger.error({ msg: 'run worker error', error: err instanceof Error ? err.stack : String(err) });
      }
      if (ran || this.stopping) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.TRAINING_POLL_INTERVAL_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Executes the oldest active run no other process holds; false when there was none. */
  private async runNext(): Promise<boolean> {
    for (const runId of await this.runs.active()) {
      if (this.stopping) return false;
      const lock = await this.tryLock(runId);
      if (!lock) continue;
      try {
        const run = await this.runs.find(runId);
        if (!run || (run.state !== 'pending' && run.state !== 'running')) continue;
        if (run.state === 'running' && run.resumeCount >= MAX_ORPHAN_RESUMES) {
          // Probably the run itself kills its process (out of memory, say): stop picking it up at every start.
          const message = `Gave up after ${run.resumeCount} interruptions; StartRun with its request id resumes it`;
          await this.runs.finish(runId, 'failed', message, this.clock.now());
          this.logger.error({ msg: 'run abandoned', runId, resumes: run.resumeCount });
          continue;
        }
        const controller = new AbortController();
        this.current = { runId, controller };
        await this.executor.execute(run, controller.signal);
        return true;
      } finally {
        this.current = undefined;
        await this.unlock(lock, runId);
      }
    }
    return false;
  }

  private async tryLock(runId: string): Promise<QueryRunner | undefined> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const [row]: { ok: boolean }[] = await runner.query(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok`, [
        RUN_LOCK_CLASS,
        runId,
      ]);
      if (row.ok) return runner;
    } catch (err) {
      await runner.release();
      throw err;
    }
    await runner.release();
    return undefined;
  }

  private async unlock(runner: QueryRunner, runId: string): Promise<void> {
    try {
      await runner.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [RUN_LOCK_CLASS, runId]);
    } catch {
      // The connection is gone, and the lock with it.
    } finally {
      await runner.release().catch(() => undefined);
    }
  }
}
