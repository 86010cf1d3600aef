import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { APP_CONFIG } from '@app/platform/config';
import { DomainError, ErrorKind, FieldViolation, ValidationError } from '@app/platform/errors';
import {
  appliesTo,
  assignmentHash,
  bucketOf,
  checkExperimentId,
  Experiment,
  EXPERIMENT_ERRORS,
  ExperimentInput,
  ExperimentState,
  experimentNotFound,
  newExperiment,
  startExperiment,
  stopExperiment,
  variantForBucket,
} from '../domain/experiment';
import { Estimate, MetricComparison, variantStats } from '../domain/experiment-stats';
import { Assignment } from '../domain/serving.types';
import { AssignmentRecord, ExperimentRepository, ListCursor } from '../infra/experiment.repository';
import { RecommendationConfig } from '../recommendation.config';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_CONFIDENCE = 0.95;
const FLUSH_INTERVAL_MS = 1_000;
/** Assignments waiting for the database; beyond this new ones are dropped (counted in `dropped`). */
const MAX_PENDING_ASSIGNMENTS = 50_000;
/** Subjects known to be recorded, so a returning shopper is not written again; cleared when full. */
const MAX_RECORDED_MEMORY = 200_000;

export interface ExperimentPage {
  readonly experiments: readonly Experiment[];
  /** Empty on the last page. */
  readonly nextPageToken: string;
}

export interface VariantResults {
  readonly variantId: string;
  readonly assigned: number;
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly revenueMinor: number;
  /** Currency of the revenue; undefined until a priced purchase was counted. */
  readonly currency?: string;
  readonly ctr: Estimate;
  readonly conversionRate: Estimate;
  readonly revenuePerImpression: Estimate;
  readonly comparisons: readonly MetricComparison[];
}

export interface ExperimentResults {
  readonly experiment: Experiment;
  /** Control first. */
  readonly variants: readonly VariantResults[];
  readonly computedAt: Date;
  readonly confidence: number;
}

/**
 * Manages experiments and assigns traffic. `assign` runs on every recommendation request: it reads
 * an in-memory list of running experiments (refreshed every RECOMMENDATION_EXPERIMENT_REFRESH_SECONDS
 * and at once after a start or stop here) and queues the assignment for a background flush.
 */
@Injectable()
export class ExperimentService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleDestroy {
  private readonly logger = new Logger(ExperimentService.name);
  /** Oldest started first: the first that applies wins. */
  private runningExperiments: readonly Experiment[] = [];
  private refreshGeneration = 0;
  private readonly pending = new Map<string, AssignmentRecord>();
  private readonly recorded = new Set<string>();
  private flushing?: Promise<void>;
  private timers: NodeJS.Timeout[] = [];
  /** Assignments not recorded because the buffer was full (the database was away for long). */
  dropped = 0;

  constructor(
    private readonly repo: ExperimentRepository,
    @Inject(APP_CONFIG) private readonly config: RecommendationConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh().catch((err: Error) => this.logger.warn(`cannot load running experiments: ${err.message}`));
    const refreshMs = this.config.RECOMMENDATION_EXPERIMENT_REFRESH_SECONDS * 1000;
    this.timers = [
      setInterval(() => {
        this.refresh().catch((err: Error) => this.logger.warn(`cannot refresh running experiments: ${err.message}`));
      }, refreshMs),
      setInterval(() => void this.flushAssignments(), FLUSH_INTERVAL_MS),
    ];
    for (const t of this.timers) t.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopTimers();
    await this.flushAssignments();
  }

  onModuleDestroy(): void {
    this.stopTimers();
  }

  // ---------------------------------------------------------------- serving

  /**
   * The variant serving this subject (user id, else session id) on this placement, or undefined when
   * no running experiment applies. Synchronous and cheap: one SHA-256, no I/O.
   */
  assign(subject: string, placement: string | undefined): Assignment | undefined {
    if (!subject) return undefined;
    for (const e of this.runningExperiments) {
      if (!appliesTo(e, placement)) continue;
      const hash = assignmentHash(e.id, subject);
      const variant = variantForBucket(bucketOf(hash), e.variants);
      this.note({ experimentId: e.id, variantId: variant.id, subjectHash: hash, at: new Date() });
      return { experimentId: e.id, variantId: variant.id, treatment: variant.treatment };
    }
    return undefined;
  }

  /** Experiments assigning traffic in this process right now, oldest started first. */
  running(): readonly Experiment[] {
    return this.runningExperiments;
  }

  /** Re-reads the running experiments. A slower, older read never overwrites a newer one. */
  async refresh(): Promise<void> {
    const generation = ++this.refreshGeneration;
    const running = await this.repo.running();
    if (generation === this.refreshGeneration) this.runningExperiments = running;
  }

  /** Writes the queued assignments; on failure they stay queued for the next flush. */
  flushAssignments(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  // ---------------------------------------------------------------- management

  /** Creates a DRAFT experiment; `earlier` are field problems the transport already found. */
  async create(input: ExperimentInput, earlier: readonly FieldViolation[] = []): Promise<Experiment> {
    const experiment = newExperiment(input, new Date(), earlier);
    if (!(await this.repo.insert(experiment))) {
      throw new DomainError(
        EXPERIMENT_ERRORS.alreadyExists,
        ErrorKind.AlreadyExists,
        `Experiment ${experiment.id} already exists`,
      );
    }
    return experiment;
  }

  async get(id: string): Promise<Experiment> {
    const experiment = await this.repo.get(checkExperimentId(id));
    if (!experiment) throw experimentNotFound(id);
    return experiment;
  }

  start(id: string): Promise<Experiment> {
    return this.transition(id, startExperiment);
  }

  /** Stops assigning at once in this process (other replicas within the refresh interval). */
  stop(id: string): Promise<Experiment> {
    return this.transition(id, stopExperiment);
  }

  async list(options: { state?: ExperimentState; pageSize?: number; pageToken?: string }): Promise<ExperimentPage> {
    const pageSize = options.pageSize ?? 0;
    if (!Number.isInteger(pageSize) || pageSize < 0) {
      throw new ValidationError([{ field: 'page_size', message: 'must be a whole number, 0 or more' }]);
    }
    const limit = Math.min(pageSize || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const after = options.pageToken ? decodeCursor(options.pageToken) : undefined;
    const rows = await this.repo.list({ state: options.state, limit: limit + 1, after });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { experiments: page, nextPageToken: rows.length > limit && last ? encodeCursor(last) : '' };
  }

  /** Counts, rates with intervals and comparisons against the control, at `confidence` (0 = 0.95). */
  async results(id: string, confidence = DEFAULT_CONFIDENCE): Promise<ExperimentResults> {
    const level = confidence === 0 ? DEFAULT_CONFIDENCE : confidence;
    if (!(Number.isFinite(level) && level >= 0.5 && level < 1)) {
      throw new ValidationError([{ field: 'confidence_level', message: 'must be at least 0.5 and below 1' }]);
    }
    const experiment = await this.get(id);
    await this.flushAssignments();
    const computedAt = new Date();
    const [assigned, metrics] = await Promise.all([this.repo.assignedCounts(id), this.repo.metrics(id)]);
    const zero = { impressions: 0, clicks: 0, conversions: 0, revenueMinor: 0, revenueSq: 0 };
    const counts = experiment.variants.map((v) => metrics.get(v.id) ?? { ...zero, variantId: v.id });
    const stats = variantStats(counts, level);
    return {
      experiment,
      computedAt,
      confidence: level,
      variants: experiment.variants.map((v, i) => ({
        variantId: v.id,
        assigned: assigned.get(v.id) ?? 0,
        impressions: counts[i].impressions,
        clicks: counts[i].clicks,
        conversions: counts[i].conversions,
        revenueMinor: counts[i].revenueMinor,
        currency: metrics.get(v.id)?.currency,
        ...stats[i],
      })),
    };
  }

  // ---------------------------------------------------------------- internals

  private async transition(id: string, change: (e: Experiment, now: Date) => Experiment): Promise<Experiment> {
    const current = await this.get(id);
    const next = change(current, new Date());
    if (!(await this.repo.saveTransition(next, current.state))) {
      // Someone else moved it meanwhile: judge the request against what it is now.
      const now = await this.get(id);
      change(now, new Date());
      throw new DomainError(EXPERIMENT_ERRORS.badState, ErrorKind.FailedPrecondition, `Experiment ${id} changed state`);
    }
    await this.refresh().catch((err: Error) => this.logger.warn(`cannot refresh running experiments: ${err.message}`));
    return next;
  }

  private note(record: AssignmentRecord): void {
    const key = `${record.experimentId}:${record.subjectHash}`;
    if (this.recorded.has(key) || this.pending.has(key)) return;
    if (this.pending.size >= MAX_PENDING_ASSIGNMENTS) {
      this.dropped += 1;
      return;
    }
    this.pending.set(key, record);
  }

  private async flushOnce(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.entries()];
    try {
      for (let i = 0; i < batch.length; i += 5_000) {
        await this.repo.recordAssignments(batch.slice(i, i + 5_000).map(([, r]) => r));
      }
    } catch (err) {
      this.logger.warn(`cannot record ${batch.length} experiment assignments, will retry: ${(err as Error).message}`);
      return;
    }
    if (this.recorded.size + batch.length > MAX_RECORDED_MEMORY) this.recorded.clear();
    for (const [key] of batch) {
      this.pending.delete(key);
      this.recorded.add(key);
    }
  }

  private stopTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}

function encodeCursor(e: Experiment): string {
  return Buffer.from(JSON.stringify([e.createdAt.toISOString(), e.id])).toString('base64url');
}

function decodeCursor(token: string): ListCursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [unknown, unknown];
    const createdAt = new Date(String(at));
    if (typeof id === 'string' && typeof at === 'string' && !Number.isNaN(createdAt.getTime()))
      return { createdAt, id };
  } catch {
    // falls through to the error below
  }
  throw new ValidationError([{ field: 'page_token', message: 'is not a token from a previous page' }]);
}
