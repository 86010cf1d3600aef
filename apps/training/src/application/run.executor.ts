import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, PreconditionError } from '@app/platform/errors';
import {
  defaultRegistry,
  evaluateRecommender,
  type EvaluationResult,
  RecsysError,
  type InteractionDataset,
  searchHyperParameters,
  type SearchMetric,
  splitDataset,
} from '@app/recsys';
import { createHash, randomUUID } from 'node:crypto';
import { evaluateOnHoldout } from '../domain/holdout.evaluator';
import { ARTIFACT_CONTENT_TYPE, ModelVersion } from '../domain/model-version';
import { decidePromotion } from '../domain/promotion.rule';
import {
  CandidateResult,
  CandidateSpec,
  DataWindow,
  METRIC_KEYS,
  metricLabel,
  MetricValue,
  metricValue,
  Run,
  RunProgress,
} from '../domain/run';
import { snapshotToDataset, TrainingSnapshot } from '../domain/training-snapshot';
import { ARTIFACT_STORE, ArtifactStore } from '../infra/artifact.store';
import { CheckpointRepository } from '../infra/checkpoint.repository';
import { Clock } from '../infra/clock';
import { ModelRepository } from '../infra/model.repository';
import { RunRepository } from '../infra/run.repository';
import { TrainingMetrics } from '../infra/training.metrics';
import { ModelRegistryService } from './model-registry.service';
import { CheckpointEvent, TRAINING_RUN_HOOKS, TrainingRunHooks } from './training-run.hooks';
import { TRAINING_SET_SOURCE, TrainingSetSource } from './training-set.source';
import { artifactParams, resolveParams } from './candidate.params';

/** The run stopped because it was cancelled or the process is shutting down; its checkpoint stays. */
export class RunInterrupted extends Error {
  constructor(readonly why: 'cancelled' | 'shutdown') {
    super(`run interrupted (${why})`);
  }
}

/** The artifact format the library writes (its header's formatVersion). */
const ARTIFACT_FORMAT_VERSION = 1;
/** At most one progress write per this many ms while streaming. */
const PROGRESS_WRITE_MS = 500;

/** The accuracy metrics the hyper-parameter search can optimise, by their API names. */
const SEARCH_METRICS: Record<string, SearchMetric> = Object.fromEntries(
  (['ndcg', 'precision', 'recall', 'map', 'mrr', 'hit_rate'] as const).map((name) => [name, METRIC_KEYS[name]]),
);

/**
 * Executes one run, stage by stage: fetch → split → fit and evaluate each candidate → register → promotion.
 * After the fetch and after each candidate it writes a checkpoint; on a resume it starts from them, so a run
 * interrupted anywhere redoes at most the step that was in flight.
 */
@Injectable()
export class RunExecutor {
  private readonly logger = new Logger('TrainingRun');

  constructor(
    private readonly runs: RunRepository,
    private readonly checkpoints: CheckpointRepository,
    private readonly models: ModelRepository,
    private readonly registry: ModelRegistryService,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(TRAINING_SET_SOURCE) private readonly source: TrainingSetSource,
    @Inject(TRAINING_RUN_HOOKS) private readonly hooks: TrainingRunHooks,
    private readonly clock: Clock,
    private readonly metrics: TrainingMetrics,
  ) {}

  async execute(run: Run, signal: AbortSignal): Promise<void> {
    const id = run.runId;
    const resumed = run.startedAt !== undefined;
    if (!(await this.runs.start(id, this.clock.now()))) return;
    this.logger.log({
      msg: resumed ? 'run resumed from its checkpoint' : 'run started',
      runId: id,
      trigger: run.trigger,
    });
    const t0 = performance.now();
    let stage = 'fetching';
    let mark = t0;
    const lap = (next: string) => {
      const now = performance.now();
      this.metrics.stage(stage, (now - mark) / 1000);
      mark = now;
      stage = next;
    };
    try {
      const snapshot = await this.trainingSet(run, signal);
      const data = snapshotToDataset(snapshot);
      const window: DataWindow = {
        asOf: snapshot.asOf,
        windowStart: snapshot.windowStart,
        snapshotId: snapshot.snapshotId,
        interactionCount: data.size,
        userCount: data.numUsers,
        itemCount: data.numItems,
      };
      await this.runs.setDataWindow(id, window);
      if (data.size < 2) {
        throw new PreconditionError('RUN.EMPTY_TRAINING_SET', `The training set has ${data.size} interactions`);
      }
      lap('splitting');
      await this.progress(id, { stage, done: 0, total: 1, unitsPerSecond: 0 });
      const { evaluation } = run.spec;
      const split = splitDataset(data, {
        method: evaluation.split,
        ratio: evaluation.trainRatio,
        seed: evaluation.seed,
      });
      const holdoutId = holdoutIdOf(snapshot, evaluation);
      this.logger.log({
        msg: 'training set split',
        runId: id,
        train: split.train.size,
        holdout: split.test.size,
        split: split.description,
        holdoutId,
      });
      lap('training');
      const results = await this.fitCandidates(run, split.train, split.test, signal);
      lap('registering');
      const registered = await this.register(run, results, window, holdoutId);
      if (registered.length === 0) {
        const first = results.find((r) => r.result.errorMessage !== '')?.result;
        throw new PreconditionError(
          'RUN.NO_MODEL',
          `every candidate failed${first ? `; ${first.spec.algorithm}: ${first.errorMessage}` : ''}`,
        );
      }
      if (run.spec.autoPromote && !run.promotion) {
        lap('promoting');
        await this.promote(run, registered, split.train, split.test, holdoutId, signal);
      }
      lap('done');
      if (await this.runs.finish(id, 'succeeded', '', this.clock.now())) await this.checkpoints.clear(id);
      this.metrics.runEnded(run.trigger, 'succeeded');
      this.logger.log({
        msg: 'run succeeded',
        runId: id,
        seconds: Math.round((performance.now() - t0) / 100) / 10,
        models: registered.map((m) => ({
          modelId: m.modelId,
          algorithm: m.algorithm,
          ndcg: metricValue(m.metrics, 'ndcg'),
        })),
      });
    } catch (err) {
      if (err instanceof RunInterrupted || signal.aborted) {
        this.logger.warn({ msg: 'run interrupted; its checkpoint is kept', runId: id, stage });
        this.metrics.runEnded(run.trigger, 'interrupted');
        return;
      }
      const message =
        err instanceof DomainError || err instanceof RecsysError
          ? `Failed while ${stage}: ${err.message}`
          : `Failed while ${stage}: an internal error (the service log has it under run ${id})`;
      this.logger.error({ msg: 'run failed', runId: id, stage, error: err instanceof Error ? err.stack : String(err) });
      await this.runs.finish(id, 'failed', message, this.clock.now());
      this.metrics.runEnded(run.trigger, 'failed');
    }
  }

  private async trainingSet(run: Run, signal: AbortSignal): Promise<TrainingSnapshot> {
    const stored = await this.checkpoints.trainingSet(run.runId);
    if (stored) {
      this.logger.log({ msg: 'training set read from the checkpoint', runId: run.runId, rows: stored.user.length });
      return stored;
    }
    const started = performance.now();
    let lastWrite = 0;
    await this.progress(run.runId, { stage: 'fetching', done: 0, total: 0, unitsPerSecond: 0 });
    const snapshot = await this.source.fetch(
      run.spec.trainingSet,
      (done, total) => {
        const now = performance.now();
        if (now - lastWrite < PROGRESS_WRITE_MS) return;
        lastWrite = now;
        const rate = done / Math.max(1e-3, (now - started) / 1000);
        void this.progress(run.runId, { stage: 'fetching', done, total, unitsPerSecond: rate }).catch(() => undefined);
      },
      signal,
    );
    const rows = snapshot.user.length;
    await this.progress(run.runId, {
      stage: 'fetching',
      done: rows,
      total: rows,
      unitsPerSecond: rows / Math.max(1e-3, (performance.now() - started) / 1000),
    });
    await this.checkpoints.saveTrainingSet(run.runId, snapshot);
    this.logger.log({ msg: 'training set fetched', runId: run.runId, rows, snapshotId: snapshot.snapshotId });
    await this.checkpointed({ runId: run.runId, kind: 'training_set' }, signal);
    return snapshot;
  }

  private async fitCandidates(
    run: Run,
    train: InteractionDataset,
    test: InteractionDataset,
    signal: AbortSignal,
  ): Promise<{ result: CandidateResult; artifact: Buffer }[]> {
    const id = run.runId;
    const { candidates, evaluation } = run.spec;
    const done = new Map((await this.checkpoints.candidates(id)).map((c) => [c.index, c]));
    const out: { result: CandidateResult; artifact: Buffer }[] = [];
    const results: CandidateResult[] = candidates.map(
      (spec, i) => done.get(i)?.result ?? { spec, modelId: '', metrics: [], fitSeconds: 0, errorMessage: '' },
    );
    for (let i = 0; i < candidates.length; i++) {
      const previous = done.get(i);
      if (previous) {
        this.logger.log({
          msg: 'candidate read from the checkpoint',
          runId: id,
          index: i,
          algorithm: candidates[i].algorithm,
        });
        out.push({ result: previous.result, artifact: previous.artifact });
        continue;
      }
      await this.ensureActive(id, signal);
      const spec = candidates[i];
      const started = performance.now();
      await this.progress(id, {
        stage: `training:${spec.algorithm}`,
        done: i,
        total: candidates.length,
        unitsPerSecond: 0,
      });
      let result: CandidateResult;
      let artifact: Buffer = Buffer.alloc(0);
      try {
        const params = await this.tunedParams(
          spec,
          train,
          evaluation.k,
          evaluation.primaryMetric,
          evaluation.seed,
          signal,
        );
        const model = defaultRegistry.create(spec.algorithm, params);
        const report = await model.fit(train, {
          signal,
          seed: evaluation.seed,
          onProgress: (p) => this.logger.debug({ msg: 'fit progress', runId: id, algorithm: spec.algorithm, ...p }),
        });
        await this.progress(id, {
          stage: `evaluating:${spec.algorithm}`,
          done: i,
          total: candidates.length,
          unitsPerSecond: 0,
        });
        this.metrics.fitted(spec.algorithm, report.seconds);
        const metrics = toMetrics(evaluateRecommender(model, train, test, { k: evaluation.k }));
        const bytes = model.serialize();
        artifact = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        result = { spec, modelId: randomUUID(), metrics, fitSeconds: report.seconds, errorMessage: '' };
        this.logger.log({
          msg: 'candidate trained',
          runId: id,
          algorithm: spec.algorithm,
          fitSeconds: Math.round(report.seconds * 1000) / 1000,
          metrics: Object.fromEntries(
            metrics.map((m) => [metricLabel(m.name, m.k), Math.round(m.value * 10_000) / 10_000]),
          ),
          seconds: Math.round(performance.now() - started) / 1000,
        });
      } catch (err) {
        if (signal.aborted) throw new RunInterrupted('shutdown');
        const message = err instanceof Error ? err.message : String(err);
        this.logger.warn({ msg: 'candidate failed', runId: id, algorithm: spec.algorithm, error: message });
        result = { spec, modelId: '', metrics: [], fitSeconds: 0, errorMessage: message };
      }
      await this.checkpoints.saveCandidate(id, { index: i, artifact, result });
      results[i] = result;
      await this.runs.setResults(id, results);
      out.push({ result, artifact });
      await this.checkpointed({ runId: id, kind: 'candidate', index: i, algorithm: spec.algorithm }, signal);
    }
    await this.progress(id, {
      stage: 'training',
      done: candidates.length,
      total: candidates.length,
      unitsPerSecond: 0,
    });
    return out;
  }

  /** With a tuning budget, random search on a validation split carved from training (the holdout stays unseen). */
  private async tunedParams(
    spec: CandidateSpec,
    train: InteractionDataset,
    k: number,
    metric: string,
    seed: number,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const params = resolveParams(spec);
    if (spec.tuningBudgetSeconds <= 0) return params;
    const search = await searchHyperParameters({
      registry: defaultRegistry,
      algorithm: spec.algorithm,
      train,
      budgetSeconds: spec.tuningBudgetSeconds,
      seed,
      k,
      metric: SEARCH_METRICS[metric] ?? 'ndcg',
      fixed: params,
    });
    if (signal.aborted) throw new RunInterrupted('shutdown');
    return search.best.params;
  }

  private async register(
    run: Run,
    fitted: { result: CandidateResult; artifact: Buffer }[],
    window: DataWindow,
    holdoutId: string,
  ): Promise<ModelVersion[]> {
    const id = run.runId;
    const ok = fitted.map((f, index) => ({ ...f, index })).filter((f) => f.result.modelId !== '');
    const out: ModelVersion[] = [];
    for (const [n, f] of ok.entries()) {
      await this.progress(id, { stage: 'registering', done: n, total: ok.length, unitsPerSecond: 0 });
      const { uri, sha256 } = await this.store.put(f.result.modelId, f.artifact);
      out.push(
        await this.models.register({
          modelId: f.result.modelId,
          algorithm: f.result.spec.algorithm,
          params: artifactParams(f.artifact),
          dataWindow: window,
          evaluation: run.spec.evaluation,
          holdoutId,
          metrics: f.result.metrics,
          artifact: {
            uri,
            sha256,
            sizeBytes: f.artifact.length,
            contentType: ARTIFACT_CONTENT_TYPE,
            formatVersion: ARTIFACT_FORMAT_VERSION,
          },
          runId: id,
          fitSeconds: f.result.fitSeconds,
          createdAt: this.clock.now(),
          candidateIndex: f.index,
        }),
      );
    }
    this.logger.log({ msg: 'models registered', runId: id, models: out.map((m) => `${m.algorithm} v${m.version}`) });
    return out;
  }

  /** The best candidate against the champion, both measured on this run's holdout. */
  private async promote(
    run: Run,
    registered: ModelVersion[],
    train: InteractionDataset,
    test: InteractionDataset,
    holdoutId: string,
    signal: AbortSignal,
  ): Promise<void> {
    const id = run.runId;
    const { primaryMetric, k } = run.spec.evaluation;
    await this.progress(id, { stage: 'promoting', done: 0, total: 1, unitsPerSecond: 0 });
    const score = (m: ModelVersion) => metricValue(m.metrics, primaryMetric) ?? 0;
    const best = registered.reduce((a, b) => (score(b) > score(a) ? b : a));
    const champion = await this.models.champion();
    let championScore: { modelId: string; value: number } | undefined;
    if (champion && champion.runId !== id) {
      await this.ensureActive(id, signal);
      const model = await this.registry.load(champion.modelId);
      const metrics = evaluateOnHoldout(model, train, test, k);
      await this.models.saveEvaluation(champion.modelId, holdoutId, metrics, this.clock.now());
      championScore = { modelId: champion.modelId, value: metricValue(metrics, primaryMetric) ?? 0 };
      this.logger.log({
        msg: 'champion re-evaluated on the run holdout',
        runId: id,
        championId: champion.modelId,
        value: championScore.value,
      });
    } else if (champion) {
      championScore = { modelId: champion.modelId, value: score(champion) };
    }
    const decision = decidePromotion({
      metric: metricLabel(primaryMetric, k),
      challengerValue: score(best),
      champion: championScore,
      margin: run.spec.margin,
    });
    const settled = await this.registry.settleRunPromotion(id, best, decision, run.requestedBy);
    this.logger.log({
      msg: settled.promoted ? 'challenger promoted' : 'champion kept',
      runId: id,
      modelId: best.modelId,
      reason: settled.reason,
    });
  }

  private async ensureActive(runId: string, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new RunInterrupted('shutdown');
    if (!(await this.runs.isActive(runId))) throw new RunInterrupted('cancelled');
  }

  private async checkpointed(event: CheckpointEvent, signal: AbortSignal): Promise<void> {
    if (!this.hooks.afterCheckpoint) return;
    await Promise.race([
      this.hooks.afterCheckpoint(event, signal),
      new Promise<void>((_, reject) => {
        if (signal.aborted) reject(new RunInterrupted('shutdown'));
        signal.addEventListener('abort', () => reject(new RunInterrupted('shutdown')), { once: true });
      }),
    ]);
  }

  private progress(runId: string, p: RunProgress): Promise<void> {
    return this.runs.progress(runId, p);
  }
}

/** The library's evaluation as API metrics: accuracy at k, coverage without k, novelty and diversity at k. */
export function toMetrics(e: EvaluationResult): MetricValue[] {
  return (Object.keys(METRIC_KEYS) as (keyof typeof METRIC_KEYS)[]).map((name) => ({
    name,
    k: name === 'coverage' ? 0 : e.k,
    value: e[METRIC_KEYS[name]],
  }));
}

/** Models evaluated on the same rows with the same split share this id, so their metrics are comparable. */
export function holdoutIdOf(s: TrainingSnapshot, e: Run['spec']['evaluation']): string {
  const key = `${s.snapshotId}|${s.user.length}|${e.split}|${e.trainRatio}|${e.seed}`;
  return `h-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}
