import type { PromotionDecision } from './run';

export interface PromotionInput {
  /** Metric compared, e.g. "ndcg@10" (for the reason). */
  metric: string;
  challengerValue: number;
  /** The current champion measured on the challenger's holdout; absent when there is none. */
  champion?: { modelId: string; value: number };
  /** Required relative improvement, e.g. 0.01 for 1%. */
  margin: number;
  /** Someone asked to promote whatever the numbers say. */
  force?: boolean;
}

const fmt = (x: number) => (Math.round(x * 1000) / 1000).toFixed(3);
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/**
 * The champion/challenger rule: the first model is promoted; after that a challenger must beat the champion on
 * the same holdout by the relative margin (value ≥ champion × (1 + margin), and strictly better, so a margin of 0
 * still refuses a tie). `force` promotes regardless and says so.
 */
export function decidePromotion(input: PromotionInput): PromotionDecision {
  const { metric, challengerValue, champion, margin } = input;
  const base = {
    metric,
    challengerValue,
    championValue: champion?.value ?? 0,
    margin,
    previousChampionId: champion?.modelId ?? '',
  };
  if (!champion) {
    return {
      ...base,
      promoted: true,
      eventReason: 'first_model',
      reason: `first model (${metric} ${fmt(challengerValue)})`,
    };
  }
  const required = champion.value * (1 + margin);
  const gain = champion.value > 0 ? challengerValue / champion.value - 1 : challengerValue > 0 ? Infinity : 0;
  const gainText = Number.isFinite(gain) ? pct(gain) : 'n/a (champion scored 0)';
  const beats = challengerValue > champion.value && challengerValue >= required;
  if (input.force) {
    return {
      ...base,
      promoted: true,
      eventReason: 'manual',
      reason: `forced: ${metric} ${fmt(challengerValue)} vs champion ${fmt(champion.value)} (${beats ? 'beats' : 'does not beat'} it by the margin ${pct(margin)})`,
    };
  }
  if (beats) {
    return {
      ...base,
      promoted: true,
      eventReason: 'beat_champion',
      reason: `${metric} ${fmt(challengerValue)} beats champion ${fmt(champion.value)} by ${gainText} (margin ${pct(margin)})`,
    };
  }
  return {
    ...base,
    promoted: false,
    reason: `${metric} ${fmt(challengerValue)} does not beat champion ${fmt(champion.value)} by the margin ${pct(margin)} (change ${gainText})`,
  };
}
