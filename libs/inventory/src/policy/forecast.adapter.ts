import { DAYS_PER_PERIOD, DemandForecast } from '@app/forecasting';
import { DemandInput } from './replenishment.types';

/**
 * Turns a forecast into the policy's demand input: the mean per day over the first `days` days of the forecast
 * (default: the whole horizon), the one-step error spread as σ per day, and the cumulative quantiles for the
 * distribution-based method. Weekly and monthly forecasts are converted to days (σ scales with √days).
 */
export function demandFromForecast(forecast: DemandForecast, options: { days?: number } = {}): DemandInput {
  const stepDays = DAYS_PER_PERIOD[forecast.frequency];
  const steps = Math.max(
    1,
    Math.min(forecast.mean.length, Math.ceil((options.days ?? forecast.mean.length * stepDays) / stepDays)),
  );
  let total = 0;
  for (let j = 0; j < steps; j++) total += forecast.mean[j];
  return {
    meanPerDay: total / (steps * stepDays),
    sdPerDay: forecast.oneStepSd / Math.sqrt(stepDays),
    cumulative:
      forecast.model === 'zero'
        ? undefined
        : { levels: forecast.quantileLevels, values: forecast.cumulative, stepDays },
    source: {
      title: forecast.title,
      label: forecast.label,
      backtestMase: forecast.backtestMase,
      selectedBy: forecast.selectedBy,
      historyDays: forecast.historyLength * stepDays,
    },
  };
}
