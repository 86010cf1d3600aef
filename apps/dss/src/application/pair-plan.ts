import { buildForecast, DailyHistory, ForecastRecord, historyRows } from '../domain/forecast';
import { Rule } from '../domain/rule';
import { Suggestion } from '../domain/suggestion';
import { SupplyParameters } from '../domain/supply-parameters';
import { PlanningDefaults, planningHorizonDays, planSuggestion } from './suggestion-planner';

/**
 * The CPU work of a computation for one SKU × store pair (forecast, holdout accuracy, policy, rules), as a pure
 * function of plain data: the service runs it in its own thread or on a pool of worker threads, with the same
 * result either way (ids and timestamps come in with the task).
 */

/** Quantile levels of the forecasts behind suggestions: dense in the upper tail, where service levels sit. */
export const PLANNING_LEVELS = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.98, 0.99];

export interface PairPlanTask {
  sku: string;
  storeId: string;
  /** Daily demand up to yesterday; absent without any sale. */
  history?: DailyHistory;
  stock?: { onHand: number; onOrder: number; observedAt: Date };
  item?: { title?: string; categories: readonly string[]; currency?: string };
  supply?: SupplyParameters;
  forecastId: string;
  suggestionId: string;
  computedAt: Date;
}

/** What every pair of a batch shares. */
export interface PlanContext {
  rules: readonly Rule[];
  computationId: string;
  today: string;
  defaults: PlanningDefaults;
  holdoutDays: number;
}

export interface Planned {
  forecast: ForecastRecord;
  suggestion: Suggestion;
}

/** A planned pair, or why it could not be planned (one bad pair never stops the others). */
export type PlanOutcome = { ok: true; planned: Planned } | { ok: false; message: string };

export function planPair(task: PairPlanTask, ctx: PlanContext): Planned {
  const { supply, computedAt } = task;
  const serviceLevel = supply?.serviceLevel ?? ctx.defaults.serviceLevel;
  const built = buildForecast({
    forecastId: task.forecastId,
    sku: task.sku,
    storeId: task.storeId,
    rows: task.history ? historyRows(task.history) : [],
    frequency: 'day',
    horizon: planningHorizonDays(supply, ctx.defaults),
    quantileLevels: [...new Set([...PLANNING_LEVELS, serviceLevel])].sort((a, b) => a - b),
    holdoutDays: ctx.holdoutDays,
    today: ctx.today,
    computedAt,
  });
  const suggestion = planSuggestion({
    suggestionId: task.suggestionId,
    sku: task.sku,
    storeId: task.storeId,
    today: ctx.today,
    computedAt,
    computationId: ctx.computationId,
    forecast: built.demand,
    forecastId: built.record.forecastId,
    item: task.item,
    supply,
    stock: task.stock,
    rules: ctx.rules,
    defaults: ctx.defaults,
  });
  return { forecast: built.record, suggestion };
}

/** Plans every task of a batch; a failing pair yields its message instead of stopping the batch. */
export function planPairs(tasks: readonly PairPlanTask[], ctx: PlanContext): PlanOutcome[] {
  return tasks.map((task) => {
    try {
      return { ok: true, planned: planPair(task, ctx) };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  });
}
