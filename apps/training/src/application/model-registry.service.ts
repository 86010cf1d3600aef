import { Inject, Injectable, Logger } from '@nestjs/common';
import { parseEvent } from '@app/contracts/events';
import { APP_CONFIG } from '@app/platform/config';
import { ConflictError, DomainError, ErrorKind, NotFoundError, PreconditionError } from '@app/platform/errors';
import { enqueueOutbox } from '@app/platform/messaging';
import { OutboxPublisher } from '@app/platform/platform';
import { defaultRegistry, type Recommender } from '@app/recsys';
import { DataSource, EntityManager } from 'typeorm';
import { artifactFetchUri, eventChecksum, ModelVersion } from '../domain/model-version';
import { decidePromotion } from '../domain/promotion.rule';
import { chooseRollbackTarget } from '../domain/rollback.rule';
import { metricLabel, metricValue, PromotionDecision } from '../domain/run';
import { ARTIFACT_STORE, ArtifactCorruptError, ArtifactMissingError, ArtifactStore } from '../infra/artifact.store';
import { Clock } from '../infra/clock';
import { ModelFilter, ModelRepository } from '../infra/model.repository';
import { RunRepository } from '../infra/run.repository';
import { TrainingMetrics } from '../infra/training.metrics';
import type { TrainingConfig } from '../training.config';

/** Serialises promotions and rollbacks across processes (pg_advisory_xact_lock key). */
const PROMOTION_LOCK = 73_010_001;

export interface PromotionRequest {
  force: boolean;
  note: string;
  requestedBy: string;
}

export interface Comparison {
  models: ModelVersion[];
  metrics: { name: string; k: number; values: number[]; bestIndex: number }[];
  sameHoldout: boolean;
}

/**
 * The model registry's use cases: read, compare, fetch artifacts, and change the champion. Every change of
 * champion (a run's promotion, a manual promotion, a rollback) happens in one transaction with the promotion log
 * entry and the `models.v1.promoted` outbox row, under one lock, so two promotions can never interleave.
 */
@Injectable()
export class ModelRegistryService {
  private readonly logger = new Logger('ModelRegistry');

  constructor(
    private readonly dataSource: DataSource,
    private readonly models: ModelRepository,
    private readonly runs: RunRepository,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    private readonly outbox: OutboxPublisher,
    private readonly clock: Clock,
    private readonly metrics: TrainingMetrics,
    @Inject(APP_CONFIG) private readonly config: TrainingConfig,
  ) {}

  async get(modelId: string): Promise<ModelVersion> {
    const m = await this.models.find(modelId);
    if (!m) throw new NotFoundError('MODEL.NOT_FOUND', `No model ${modelId}`);
    return m;
  }

  async byAlias(alias: 'champion' | 'latest'): Promise<ModelVersion> {
    const m = alias === 'champion' ? await this.models.champion() : await this.models.latest();
    if (!m) throw new NotFoundError('MODEL.NOT_FOUND', alias === 'champion' ? 'No champion yet' : 'No model yet');
    return m;
  }

  list(filter: ModelFilter, limit: number, offset: number): Promise<ModelVersion[]> {
    return this.models.list(filter, limit, offset);
  }

  /** The artifact's bytes, checksum verified against the registry. */
  async artifact(modelId: string): Promise<{ model: ModelVersion; bytes: Buffer }> {
    const model = await this.get(modelId);
    try {
      return { model, bytes: await this.store.get(model.modelId, model.artifact.sha256) };
    } catch (err) {
      if (err instanceof ArtifactMissingError) {
        throw new DomainError('ARTIFACT.MISSING', ErrorKind.Internal, `The artifact of model ${modelId} is missing`);
      }
      if (err instanceof ArtifactCorruptError) {
        this.logger.error({ msg: 'artifact checksum mismatch', modelId, expected: err.expected, actual: err.actual });
        throw new DomainError('ARTIFACT.CORRUPT', ErrorKind.Internal, `The artifact of model ${modelId} is corrupt`);
      }
      throw err;
    }
  }

  /** The model itself, rebuilt from its artifact (as the recommendation service would). */
  async load(modelId: string): Promise<Recommender> {
    const { bytes } = await this.artifact(modelId);
    // A plain Uint8Array copy: the codec slices blobs with slice(), which on a Node Buffer is a view, not a copy.
    return defaultRegistry.deserialize(new Uint8Array(bytes));
  }

  async compare(modelIds: string[], metricNames: string[]): Promise<Comparison> {
    const found = await this.models.findMany(modelIds);
    const byId = new Map(found.map((m) => [m.modelId, m]));
    const missing = modelIds.filter((id) => !byId.has(id));
    if (missing.length > 0) throw new NotFoundError('MODEL.NOT_FOUND', `No model ${missing.join(', ')}`);
    const models = modelIds.map((id) => byId.get(id)!);
    const sameHoldout = models.every((m) => m.holdoutId === models[0].holdoutId);
    const keys = new Map<string, { name: string; k: number }>();
    for (const m of models) for (const x of m.metrics) keys.set(`${x.name}@${x.k}`, { name: x.name, k: x.k });
    const wanted = [...keys.values()].filter((x) =>
      metricNames.length > 0
        ? metricNames.includes(x.name)
        : models.every((m) => m.metrics.some((y) => y.name === x.name && y.k === x.k)),
    );
    const metrics = wanted.map(({ name, k }) => {
      const values = models.map((m) => m.metrics.find((y) => y.name === name && y.k === k)?.value ?? Number.NaN);
      let bestIndex = 0;
      values.forEach((v, i) => {
        if (!Number.isNaN(v) && (Number.isNaN(values[bestIndex]) || v > values[bestIndex])) bestIndex = i;
      });
      return { name, k, values, bestIndex };
    });
    return { models, metrics, sameHoldout };
  }

  /**
   * Manual promotion. Without force the model must beat the champion by the margin on the model's own holdout,
   * which needs the champion's metrics on it (same holdout, or measured when it defended against this run).
   */
  async promote(
    modelId: string,
    request: PromotionRequest,
  ): Promise<{ model: ModelVersion; decision: PromotionDecision }> {
    const model = await this.get(modelId);
    const champion = await this.models.champion();
    const metric = this.config.TRAINING_PRIMARY_METRIC;
    const label = metricLabel(metric, model.evaluation.k);
    const challengerValue = metricValue(model.metrics, metric) ?? 0;
    if (champion?.modelId === model.modelId) {
      const decision = decidePromotion({
        metric: label,
        challengerValue,
        margin: this.config.TRAINING_PROMOTION_MARGIN,
      });
      return { model, decision: { ...decision, reason: 'already the champion', previousChampionId: model.modelId } };
    }
    let championValue: number | undefined;
    if (champion) {
      const onHoldout = await this.models.evaluation(champion.modelId, model.holdoutId);
      championValue = onHoldout ? metricValue(onHoldout, metric) : undefined;
      if (championValue === undefined && !request.force) {
        throw new PreconditionError(
          'MODEL.NOT_COMPARABLE',
          `The champion ${champion.modelId} was never measured on the holdout of ${modelId}; promote with force to override`,
        );
      }
    }
    const decision = decidePromotion({
      metric: label,
      challengerValue,
      champion: champion ? { modelId: champion.modelId, value: championValue ?? 0 } : undefined,
      margin: this.config.TRAINING_PROMOTION_MARGIN,
      force: request.force,
    });
    if (!decision.promoted) return { model, decision };
    const promoted = await this.dataSource.transaction((m) =>
      this.applyPromotion(m, model, decision, champion?.modelId, request.requestedBy, request.note),
    );
    this.outbox.nudge();
    return { model: promoted, decision };
  }

  /** Restores an earlier model (named, or the previous champion) as champion. */
  async rollback(
    modelId: string | undefined,
    request: { note: string; requestedBy: string },
  ): Promise<{ model: ModelVersion; previous: ModelVersion }> {
    const result = await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock($1)`, [PROMOTION_LOCK]);
      const champion = await this.models.champion(m);
      const named = modelId ? await this.models.find(modelId, m) : undefined;
      const candidates = modelId ? (named ? [named] : []) : await this.models.everPromoted(m);
      const choice = chooseRollbackTarget(candidates, champion, modelId);
      if (!choice.ok) {
        throw choice.kind === 'not_found'
          ? new NotFoundError(choice.code, choice.message)
          : new PreconditionError(choice.code, choice.message);
      }
      const metric = this.config.TRAINING_PRIMARY_METRIC;
      const target = choice.target;
      const decision: PromotionDecision = {
        promoted: true,
        reason: `rollback from version ${champion!.version} to version ${target.version}${request.note ? `: ${request.note}` : ''}`,
        metric: metricLabel(metric, target.evaluation.k),
        challengerValue: metricValue(target.metrics, metric) ?? 0,
        championValue: metricValue(champion!.metrics, metric) ?? 0,
        margin: 0,
        previousChampionId: champion!.modelId,
        eventReason: 'rollback',
      };
      const model = await this.applyPromotion(
        m,
        target,
        decision,
        champion!.modelId,
        request.requestedBy,
        request.note,
        true,
      );
      return { model, previous: (await this.models.find(champion!.modelId, m))! };
    });
    this.outbox.nudge();
    this.logger.log({ msg: 'rolled back', modelId: result.model.modelId, previous: result.previous.modelId });
    return result;
  }

  /**
   * A run's automatic promotion decision, stored with the run in one transaction: promoted (champion changes and
   * the event is queued) or not (the challenger is marked rejected). If the champion changed while the run was
   * evaluating, nothing is promoted: the decision was made against another model.
   */
  async settleRunPromotion(
    runId: string,
    challenger: ModelVersion,
    decision: PromotionDecision,
    requestedBy: string,
  ): Promise<PromotionDecision> {
    const settled = await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock($1)`, [PROMOTION_LOCK]);
      const champion = await this.models.champion(m);
      let final = decision;
      if ((champion?.modelId ?? '') !== decision.previousChampionId) {
        final = {
          ...decision,
          promoted: false,
          reason: 'the champion changed while this run was evaluating; promote manually',
        };
      }
      if (final.promoted) {
        await this.applyPromotion(m, challenger, final, champion?.modelId, requestedBy, '', false, true);
      } else {
        await this.models.setStatus(challenger.modelId, 'rejected', m);
      }
      await this.runs.setPromotion(runId, final, m);
      return final;
    });
    if (settled.promoted) this.outbox.nudge();
    return settled;
  }

  /** Champion change + promotion log + outbox event, in the caller's transaction. */
  private async applyPromotion(
    m: EntityManager,
    model: ModelVersion,
    decision: PromotionDecision,
    previousId: string | undefined,
    requestedBy: string,
    note: string,
    isRollback = false,
    locked = false,
  ): Promise<ModelVersion> {
    if (!locked && !isRollback) {
      await m.query(`SELECT pg_advisory_xact_lock($1)`, [PROMOTION_LOCK]);
      const current = await this.models.champion(m);
      if ((current?.modelId ?? undefined) !== previousId) {
        throw new ConflictError('MODEL.CHAMPION_CHANGED', 'The champion changed meanwhile; try again');
      }
    }
    const at = this.clock.now();
    if (previousId) await this.models.setStatus(previousId, isRollback ? 'rolled_back' : 'retired', m);
    await this.models.setStatus(model.modelId, 'champion', m, at);
    const reason = decision.eventReason ?? 'manual';
    await this.models.recordPromotion(
      { modelId: model.modelId, previousModelId: previousId, reason, decision, requestedBy, note, at },
      m,
    );
    const metrics = Object.fromEntries(model.metrics.map((x) => [metricLabel(x.name, x.k), x.value]));
    const payload = parseEvent('models.v1.promoted', {
      modelId: model.modelId,
      version: model.version,
      algorithm: model.algorithm,
      checksum: eventChecksum(model.artifact.sha256),
      artifactUri: artifactFetchUri(model.modelId),
      trainedUntil: model.dataWindow.asOf.toISOString(),
      metrics,
      previousModelId: previousId,
      reason,
      promotedAt: at.toISOString(),
    });
    await enqueueOutbox(m, [
      {
        subject: 'models.v1.promoted',
        msgId: `models.v1.promoted:${model.modelId}:${at.getTime()}`,
        payload,
        headers: { 'event-type': 'retail.model_promoted', 'schema-version': '1' },
      },
    ]);
    this.metrics.promoted(reason);
    this.logger.log({
      msg: 'model promoted',
      modelId: model.modelId,
      version: model.version,
      reason,
      previous: previousId,
    });
    return (await this.models.find(model.modelId, m))!;
  }
}
