import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform/config';
import { DomainError, NotFoundError } from '@app/platform/errors';
import { OutboxPublisher } from '@app/platform/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Computation, ComputationScope, FAILURE_SAMPLES, failureSummary, PairFailure } from '../domain/computation';
import { DailyHistory } from '../domain/forecast';
import { SupplyParameters } from '../domain/supply-parameters';
import { DssConfig } from '../dss.config';
import { Clock } from '../infra/clock';
import { ComputationProgress, ComputationRepository } from '../infra/computation.repository';
import { DemandRepository, ItemInfo, pairKey, SkuStore, StockPosition } from '../infra/demand.repository';
import { ForecastRepository } from '../infra/forecast.repository';
import { RuleRepository } from '../infra/rule.repository';
import { SuggestionRepository } from '../infra/suggestion.repository';
import { SupplyParametersRepository } from '../infra/supply-parameters.repository';
import { ForecastService } from './forecast.service';
import { announceMany } from './suggestion-decision.service';
import { PairPlanTask, Planned, planPairs, PlanContext, PlanOutcome } from './pair-plan';
import { PairPlanPool, poolSize } from './pair-plan.pool';
import { PlanningDefaults } from './suggestion-planner';

/** Who asks for the scheduled runs (shown in the computation and its audit). */
export const SCHEDULE_ACTOR = 'schedule';

class ShutdownInterruption extends Error {}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Where a computation spent its time, in ms of wall time per stage (for benchmarks and the log). */
export interface ComputationTimings {
  computationId: string;
  pairs: number;
  workers: number;
  totalMs: number;
  /** Wall time the run waited for each stage (reads and stores overlap planning; only the rest shows). */
  stageMs: { scope: number; read: number; plan: number; store: number };
}

interface PairInputs {
  pair: SkuStore;
  history?: DailyHistory;
  stock?: StockPosition;
  item?: ItemInfo;
  supply?: SupplyParameters;
}

/**
 * Recomputes forecasts and stock-level suggestions for a scope, in the background: on request (idempotent by
 * request id) and on a schedule. Runs go one at a time in this process; a scheduled run is skipped while another
 * is queued or running. Pairs are stored in batches, one transaction each, then the outbox is nudged.
 */
@Injectable()
export class SuggestionComputationService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SuggestionComputation');
  private timer?: NodeJS.Timeout;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private stopping = false;
  private pool?: PairPlanPool;
  private poolTried = false;
  /** Timings of the last computation this process finished. */
  lastTimings?: ComputationTimings;

  constructor(
    private readonly dataSource: DataSource,
    private readonly demand: DemandRepository,
    private readonly supply: SupplyParametersRepository,
    private readonly rules: RuleRepository,
    private readonly suggestions: SuggestionRepository,
    private readonly forecasts: ForecastRepository,
    private readonly computations: ComputationRepository,
    private readonly forecastService: ForecastService,
    private readonly outbox: OutboxPublisher,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: DssConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Only this process runs computations; one it left unfinished when it stopped will never finish.
    const interrupted = await this.computations.failUnfinished(
      'Interrupted: the service stopped before the computation finished. Ask again.',
      this.clock.now(),
    );
    if (interrupted > 0) this.logger.warn({ msg: 'marked interrupted computations as failed', count: interrupted });
    const minutes = this.config.DSS_RECOMPUTE_INTERVAL_MINUTES;
    if (minutes > 0) {
      this.timer = setInterval(() => {
        this.runScheduled().catch((err: unknown) =>
          this.logger.error({ msg: 'could not start the scheduled recomputation', error: String(err) }),
        );
      }, minutes * 60_000);
      this.timer.unref();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.queue;
    await this.pool?.close();
    this.pool = undefined;
  }

  /** Creates the computation (or returns the one with the same request id) and queues it; returns at once. */
  async request(scope: ComputationScope, requestId: string | undefined, requestedBy: string): Promise<Computation> {
    const { computation, created } = await this.computations.createOnce({
      computationId: randomUUID(),
      requestId,
      scope,
      state: 'pending',
      stage: 'queued',
      done: 0,
      total: 0,
      unitsPerSecond: 0,
      suggestionCount: 0,
      failedCount: 0,
      failures: [],
      errorMessage: '',
      requestedBy,
      createdAt: this.clock.now(),
    });
    if (created) this.enqueue(computation);
    return computation;
  }

  async get(computationId: string): Promise<Computation> {
    const c = await this.computations.find(computationId);
    if (!c) throw new NotFoundError('COMPUTATION.NOT_FOUND', `No computation ${computationId}`);
    return c;
  }

  /** Whether a computation is queued or running in this process. */
  get busy(): boolean {
    return this.pending > 0;
  }

  /** The scheduled recomputation of everything; skipped while another computation is queued or running. */
  async runScheduled(): Promise<Computation | undefined> {
    if (this.stopping) return undefined;
    if (this.busy) {
      this.logger.log({ msg: 'scheduled recomputation skipped: another computation is still running' });
      return undefined;
    }
    return this.request({ skus: [] }, undefined, SCHEDULE_ACTOR);
  }

  private enqueue(c: Computation): void {
    this.pending++;
    this.queue = this.queue
      .then(() => yieldToEventLoop())
      .then(() => this.run(c))
      .catch((err: unknown) => this.logger.error(err instanceof Error ? err : String(err)))
      .finally(() => {
        this.pending--;
      });
  }

  private async run(c: Computation): Promise<void> {
    const id = c.computationId;
    const startedAt = this.clock.now();
    const t0 = performance.now();
    const progress: ComputationProgress = {
      stage: 'reading',
      done: 0,
      total: 0,
      unitsPerSecond: 0,
      suggestionCount: 0,
      failedCount: 0,
      failures: [],
    };
    const stageMs = { scope: 0, read: 0, plan: 0, store: 0 };
    let mark = t0;
    const lap = (stage: keyof typeof stageMs) => {
      const now = performance.now();
      stageMs[stage] += now - mark;
      mark = now;
    };
    let storing: Promise<void> | undefined;
    try {
      if (this.stopping) throw new ShutdownInterruption();
      const pairs = await this.demand.pairsInScope(c.scope);
      progress.total = pairs.length;
      progress.stage = 'forecasting';
      await this.computations.start(id, pairs.length, startedAt);
      const ctx: PlanContext = {
        rules: await this.rules.active(),
        computationId: id,
        today: this.clock.today(),
        defaults: this.defaults(),
        holdoutDays: this.config.DSS_ACCURACY_HOLDOUT_DAYS,
      };
      const window = this.forecastService.historyWindow(ctx.today);
      const batchSize = this.config.DSS_COMPUTE_BATCH_SIZE;
      lap('scope');
      // Batches go through read → plan → store as a pipeline: the next batch is read and handed to the worker pool
      // while this one is planned (the pool's queue keeps the workers busy across batches), and the previous one is
      // stored meanwhile. Progress still moves batch by batch, in order.
      const readAndPlan = (batch: SkuStore[]) => {
        const p = this.load(batch, window).then(async (inputs) => ({ inputs, outcomes: await this.plan(inputs, ctx) }));
        // A read or a plan that fails meanwhile is awaited (and so thrown) on its turn, not left unhandled.
        p.catch(() => undefined);
        return p;
      };
      let current = pairs.length > 0 ? readAndPlan(pairs.slice(0, batchSize)) : undefined;
      for (let i = 0; i < pairs.length; i += batchSize) {
        if (this.stopping) {
          await storing;
          throw new ShutdownInterruption();
        }
        const batch = pairs.slice(i, i + batchSize);
        const next =
          i + batchSize < pairs.length ? readAndPlan(pairs.slice(i + batchSize, i + 2 * batchSize)) : undefined;
        lap('read');
        const { inputs, outcomes } = await current!;
        current = next;
        lap('plan');
        await storing;
        lap('store');
        const planned: Planned[] = [];
        outcomes.forEach((o, k) => {
          if (o.ok) planned.push(o.planned);
          else this.recordFailure(progress, inputs[k].pair, new Error(o.message));
        });
        storing = this.store(planned, progress).then(async (stored) => {
          progress.done += batch.length;
          progress.suggestionCount += stored;
          progress.unitsPerSecond = progress.done / Math.max(1e-3, (performance.now() - t0) / 1000);
          await this.computations.progress(id, progress);
        });
        storing.catch(() => undefined);
      }
      await storing;
      lap('store');
      await this.computations.finish(id, 'succeeded', failureSummary(progress), this.clock.now());
      const round = (ms: number) => Math.round(ms);
      this.lastTimings = {
        computationId: id,
        pairs: progress.total,
        workers: this.pool?.size ?? 0,
        totalMs: performance.now() - t0,
        stageMs: { ...stageMs },
      };
      this.logger.log({
        msg: 'computation finished',
        computationId: id,
        pairs: progress.total,
        suggestions: progress.suggestionCount,
        failed: progress.failedCount,
        seconds: Math.round((performance.now() - t0) / 100) / 10,
        workers: this.pool?.size ?? 0,
        stageMs: Object.fromEntries(Object.entries(stageMs).map(([k, v]) => [k, round(v)])),
      });
    } catch (err) {
      // A batch still being stored finishes (or fails) before the run is marked failed, so nothing lands after.
      await storing?.catch(() => undefined);
      const message =
        err instanceof ShutdownInterruption
          ? `Interrupted by a shutdown after ${progress.done} of ${progress.total} SKU × store pairs. Ask again.`
          : `Failed while ${progress.stage} after ${progress.done} of ${progress.total} SKU × store pairs: ${
              err instanceof DomainError ? err.message : `an internal error (the service log has it under ${id})`
            }`;
      if (!(err instanceof ShutdownInterruption)) {
        this.logger.error({
          msg: 'computation failed',
          computationId: id,
          error: err instanceof Error ? err.stack : String(err),
        });
      }
      await this.computations.finish(id, 'failed', message, this.clock.now());
    }
  }

  /** Everything a batch needs, in five queries whatever its size. */
  private async load(batch: SkuStore[], window: { from: string; to: string }): Promise<PairInputs[]> {
    const stores = [...new Set(batch.map((p) => p.storeId))];
    const [histories, stocks, items, ...supplies] = await Promise.all([
      this.demand.dailyHistoryOfPairs(batch, window.from, window.to),
      this.demand.stockPositionsOf(batch),
      this.demand.items([...new Set(batch.map((p) => p.sku))]),
      ...stores.map((s) =>
        this.supply.forStore(
          batch.filter((p) => p.storeId === s).map((p) => p.sku),
          s,
        ),
      ),
    ]);
    const supplyByStore = new Map(stores.map((s, i) => [s, supplies[i]]));
    return batch.map((pair) => ({
      pair,
      history: histories.get(pairKey(pair)),
      stock: stocks.get(pairKey(pair)),
      item: items.get(pair.sku),
      supply: supplyByStore.get(pair.storeId)?.get(pair.sku),
    }));
  }

  /**
   * Forecasts and plans a batch: on the worker pool when there is one, else here, a pair at a time between
   * turns of the event loop. Ids and timestamps are made here, so both ways give the same records.
   */
  private async plan(inputs: PairInputs[], ctx: PlanContext): Promise<PlanOutcome[]> {
    const computedAt = this.clock.now();
    const tasks: PairPlanTask[] = inputs.map((input) => ({
      sku: input.pair.sku,
      storeId: input.pair.storeId,
      history: input.history,
      stock: input.stock,
      item: input.item,
      supply: input.supply,
      forecastId: randomUUID(),
      suggestionId: randomUUID(),
      computedAt,
    }));
    const pool = this.planningPool();
    if (pool) {
      try {
        return await pool.plan(tasks, ctx);
      } catch (err) {
        // A worker died (out of memory, say): carry on in this thread rather than fail the run.
        this.logger.warn({ msg: 'planning pool failed; planning in the service thread', error: String(err) });
        await pool.close();
        this.pool = undefined;
      }
    }
    const outcomes: PlanOutcome[] = [];
    for (const task of tasks) {
      outcomes.push(...planPairs([task], ctx));
      await yieldToEventLoop();
    }
    return outcomes;
  }

  /** The worker pool, started on the first computation that needs it (none when configured off or uncompiled). */
  private planningPool(): PairPlanPool | undefined {
    if (!this.poolTried) {
      this.poolTried = true;
      this.pool = PairPlanPool.create(poolSize(this.config.DSS_COMPUTE_WORKERS));
    }
    return this.pool?.healthy ? this.pool : undefined;
  }

  /**
   * One transaction per batch: forecasts, proposals (superseding the open ones) and their events. If the batch
   * fails, each pair is retried alone so that one bad pair costs only itself; if every pair fails alone too, the
   * cause is not the data (the database is gone, say) and the run stops. Returns the pairs stored.
   */
  private async store(planned: Planned[], progress: ComputationProgress): Promise<number> {
    if (planned.length === 0) return 0;
    const save = (items: Planned[]) =>
      this.dataSource.transaction(async (m) => {
        const at = this.clock.now();
        // A few multi-row statements for the whole batch; the same rows and events, in the same order, as pair by pair.
        await this.forecasts.upsertMany(
          m,
          items.map((p) => p.forecast),
        );
        const superseded = await this.suggestions.proposeMany(
          m,
          items.map((p) => p.suggestion),
        );
        await announceMany(
          m,
          items.flatMap(({ suggestion }, i) => {
            const old = superseded[i];
            return old ? [old, suggestion] : [suggestion];
          }),
          at,
        );
      });
    try {
      await save(planned);
      this.outbox.nudge();
      return planned.length;
    } catch (batchError) {
      let stored = 0;
      for (const item of planned) {
        try {
          await save([item]);
          stored++;
        } catch (err) {
          this.recordFailure(progress, item.suggestion, err);
        }
      }
      if (stored === 0) throw batchError;
      this.outbox.nudge();
      return stored;
    }
  }

  private recordFailure(progress: ComputationProgress, pair: SkuStore, err: unknown): void {
    progress.failedCount++;
    const failure: PairFailure = {
      sku: pair.sku,
      storeId: pair.storeId,
      message: err instanceof Error ? err.message : String(err),
    };
    if (progress.failures.length < FAILURE_SAMPLES) progress.failures.push(failure);
    this.logger.warn({ msg: 'could not compute a suggestion', ...failure });
  }

  private defaults(): PlanningDefaults {
    return {
      leadTimeDays: this.config.DSS_DEFAULT_LEAD_TIME_DAYS,
      serviceLevel: this.config.DSS_DEFAULT_SERVICE_LEVEL,
      reviewPeriodDays: this.config.DSS_DEFAULT_REVIEW_PERIOD_DAYS,
      holdingCostRate: this.config.DSS_DEFAULT_HOLDING_COST_RATE,
      currency: this.config.DSS_DEFAULT_CURRENCY,
    };
  }
}
