import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform/config';
import { DomainError, NotFoundError } from '@app/platform/errors';
import { OutboxPublisher } from '@app/platform/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Computation, ComputationScope, FAILURE_SAMPLES, failureSummary, PairFailure } from '../domain/computation';
import { buildForecast, DailyDemand, ForecastRecord } from '../domain/forecast';
import { Rule } from '../domain/rule';
import { Suggestion } from '../domain/suggestion';
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
import { announce } from './suggestion-decision.service';
import { PlanningDefaults, planningHorizonDays, planSuggestion } from './suggestion-planner';

/** Quantile levels of the forecasts behind suggestions: dense in the upper tail, where service levels sit. */
const PLANNING_LEVELS = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.98, 0.99];

/** Who asks for the scheduled runs (shown in the computation and its audit). */
export const SCHEDULE_ACTOR = 'schedule';

class ShutdownInterruption extends Error {}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Planned {
  forecast: ForecastRecord;
  suggestion: Suggestion;
}

interface PairInputs {
  pair: SkuStore;
  rows: readonly DailyDemand[];
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
    try {
      if (this.stopping) throw new ShutdownInterruption();
      const pairs = await this.demand.pairsInScope(c.scope);
      progress.total = pairs.length;
      progress.stage = 'forecasting';
      await this.computations.start(id, pairs.length, startedAt);
      const rules = await this.rules.active();
      const today = this.clock.today();
      const window = this.forecastService.historyWindow(today);
      const batchSize = this.config.DSS_COMPUTE_BATCH_SIZE;
      for (let i = 0; i < pairs.length; i += batchSize) {
        if (this.stopping) throw new ShutdownInterruption();
        const batch = pairs.slice(i, i + batchSize);
        const inputs = await this.load(batch, window);
        const planned: Planned[] = [];
        for (const input of inputs) {
          try {
            planned.push(this.plan(input, rules, id, today));
          } catch (err) {
            this.recordFailure(progress, input.pair, err);
          }
          await yieldToEventLoop();
        }
        const stored = await this.store(planned, progress);
        progress.done += batch.length;
        progress.suggestionCount += stored;
        progress.unitsPerSecond = progress.done / Math.max(1e-3, (performance.now() - t0) / 1000);
        await this.computations.progress(id, progress);
      }
      await this.computations.finish(id, 'succeeded', failureSummary(progress), this.clock.now());
      this.logger.log({
        msg: 'computation finished',
        computationId: id,
        pairs: progress.total,
        suggestions: progress.suggestionCount,
        failed: progress.failedCount,
        seconds: Math.round((performance.now() - t0) / 100) / 10,
      });
    } catch (err) {
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
      this.demand.dailyDemandOfPairs(batch, window.from, window.to),
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
      rows: histories.get(pairKey(pair)) ?? [],
      stock: stocks.get(pairKey(pair)),
      item: items.get(pair.sku),
      supply: supplyByStore.get(pair.storeId)?.get(pair.sku),
    }));
  }

  private plan(input: PairInputs, rules: readonly Rule[], computationId: string, today: string): Planned {
    const { pair, supply } = input;
    const computedAt = this.clock.now();
    const defaults = this.defaults();
    const serviceLevel = supply?.serviceLevel ?? defaults.serviceLevel;
    const built = buildForecast({
      forecastId: randomUUID(),
      sku: pair.sku,
      storeId: pair.storeId,
      rows: input.rows,
      frequency: 'day',
      horizon: planningHorizonDays(supply, defaults),
      quantileLevels: [...new Set([...PLANNING_LEVELS, serviceLevel])].sort((a, b) => a - b),
      holdoutDays: this.config.DSS_ACCURACY_HOLDOUT_DAYS,
      today,
      computedAt,
    });
    const suggestion = planSuggestion({
      suggestionId: randomUUID(),
      sku: pair.sku,
      storeId: pair.storeId,
      today,
      computedAt,
      computationId,
      forecast: built.demand,
      forecastId: built.record.forecastId,
      item: input.item,
      supply,
      stock: input.stock,
      rules,
      defaults,
    });
    return { forecast: built.record, suggestion };
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
        for (const { forecast, suggestion } of items) {
          await this.forecasts.upsert(m, forecast);
          const superseded = await this.suggestions.propose(m, suggestion);
          if (superseded) await announce(m, superseded, at);
          await announce(m, suggestion, at);
        }
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
