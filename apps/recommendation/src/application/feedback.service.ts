import { Injectable, Logger } from '@nestjs/common';
import { EVENT_CATALOGUE, InteractionEventV1 } from '@app/contracts/events';
import { zodViolations } from '@app/platform/errors';
import { Experiment } from '../domain/experiment';
import { ExperimentRepository, MetricDelta, metricKey } from '../infra/experiment.repository';

const SCHEMA = EVENT_CATALOGUE['events.v1.interaction'].schema;
const COUNTED_TYPES = new Set(['impression', 'click', 'purchase']);

/** One message of the interaction stream. */
export interface FeedbackMessage {
  readonly seq: number;
  readonly data: unknown;
}

export interface FeedbackOutcome {
  /** Events that changed a counter (first sightings of experiment feedback). */
  readonly counted: number;
  /** Payloads breaking the schema, for the dead-letter stream. */
  readonly rejected: { seq: number; reason: string }[];
}

type Attributed = InteractionEventV1 & { context: { experimentId: string; variant: string } };

/**
 * Counts impressions, clicks and purchases attributed to experiment variants. Only events naming a
 * variant of a known experiment count, and only until it stopped (by ingestion's receive time), so
 * results freeze at stop. Each event id counts once, whatever the redeliveries.
 */
@Injectable()
export class FeedbackService {
  private readonly logger = new Logger(FeedbackService.name);

  constructor(private readonly repo: ExperimentRepository) {}

  async countBatch(messages: readonly FeedbackMessage[]): Promise<FeedbackOutcome> {
    const rejected: { seq: number; reason: string }[] = [];
    const candidates: Attributed[] = [];
    for (const m of messages) {
      const parsed = SCHEMA.safeParse(m.data);
      if (!parsed.success) {
        const reason = zodViolations(parsed.error)
          .map((v) => `${v.field}: ${v.message}`)
          .join('; ');
        rejected.push({ seq: m.seq, reason: `invalid events.v1.interaction payload: ${reason}` });
        continue;
      }
      const e = parsed.data;
      if (COUNTED_TYPES.has(e.type) && e.context.experimentId && e.context.variant) candidates.push(e as Attributed);
    }
    if (candidates.length === 0) return { counted: 0, rejected };

    const counted = await this.repo.dataSource.transaction(async (q) => {
      const experiments = new Map(
        (await this.repo.findMany(q, [...new Set(candidates.map((e) => e.context.experimentId))])).map((x) => [
          x.id,
          x,
        ]),
      );
      const eligible = dedupe(candidates.filter((e) => counts(experiments.get(e.context.experimentId), e)));
      const fresh = await this.repo.claimEvents(
        q,
        eligible.map((e) => e.eventId),
      );
      const toCount = eligible.filter((e) => fresh.has(e.eventId));
      if (toCount.length === 0) return 0;
      const keys = [...new Map(toCount.map((e) => [key(e), e])).values()].map((e) => ({
        experimentId: e.context.experimentId,
        variantId: e.context.variant,
      }));
      const currencies = await this.repo.lockCurrencies(q, keys);
      await this.repo.addMetrics(q, this.aggregate(toCount, currencies));
      return toCount.length;
    });
    return { counted, rejected };
  }

  /** Sums per variant; revenue in a second currency is left out (one variant, one currency). */
  private aggregate(events: readonly Attributed[], currencies: Map<string, string>): MetricDelta[] {
    const deltas = new Map<string, MetricDelta & { currency?: string }>();
    for (const e of events) {
      const k = key(e);
      const d = deltas.get(k) ?? {
        experimentId: e.context.experimentId,
        variantId: e.context.variant,
        impressions: 0,
        clicks: 0,
        conversions: 0,
        revenueMinor: 0,
        revenueSq: 0,
        currency: currencies.get(k),
      };
      let next: MetricDelta = d;
      if (e.type === 'impression') next = { ...d, impressions: d.impressions + 1 };
      else if (e.type === 'click') next = { ...d, clicks: d.clicks + 1 };
      else if (e.type === 'purchase') {
        const revenue = (e.quantity ?? 1) * (e.unitPriceMinor ?? 0);
        const currency = d.currency ?? e.currency;
        const sameCurrency = revenue === 0 || !e.currency || e.currency === currency;
        if (!sameCurrency) {
          this.logger.warn(
            `purchase ${e.eventId} in ${e.currency} for ${e.context.experimentId}/${e.context.variant}, which counts ${currency}: revenue left out`,
          );
        }
        next = {
          ...d,
          conversions: d.conversions + 1,
          revenueMinor: d.revenueMinor + (sameCurrency ? revenue : 0),
          revenueSq: d.revenueSq + (sameCurrency ? revenue * revenue : 0),
          currency: revenue > 0 && sameCurrency ? currency : d.currency,
        };
      }
      deltas.set(k, next);
    }
    // In key order, so that concurrent batches lock rows in the same order.
    return [...deltas.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
  }
}

function key(e: Attributed): string {
  return metricKey(e.context.experimentId, e.context.variant);
}

/** Whether an event counts for its experiment: a variant of it, while it ran (until it stopped). */
function counts(experiment: Experiment | undefined, e: Attributed): boolean {
  if (!experiment || experiment.state === 'draft') return false;
  if (!experiment.variants.some((v) => v.id === e.context.variant)) return false;
  return !experiment.stoppedAt || new Date(e.receivedAt).getTime() <= experiment.stoppedAt.getTime();
}

/** First of each event id within a batch (a re-publish under another msgId lands in the same batch too). */
function dedupe(events: readonly Attributed[]): Attributed[] {
  const first = new Map<string, Attributed>();
  for (const e of events) if (!first.has(e.eventId)) first.set(e.eventId, e);
  return [...first.values()];
}
