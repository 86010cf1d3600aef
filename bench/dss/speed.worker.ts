import { parentPort, workerData } from 'node:worker_threads';
import { forecastDemand, POLICY_QUANTILE_LEVELS } from '@app/forecasting';
import { demandFromForecast, suggestReplenishment } from '@app/inventory';
import { syntheticSku } from './synthetic.data';

export interface SpeedTask {
  /** This worker handles SKUs first, first + stride, first + 2·stride, … below `skus` (interleaved: even load). */
  first: number;
  stride: number;
  skus: number;
  reviewPeriodDays: number;
  serviceLevel: number;
}

export interface SpeedReport {
  skus: number;
  forecastMs: number;
  suggestMs: number;
  generateMs: number;
  models: Record<string, number>;
  classes: Record<string, number>;
  unitsToOrder: number;
  ordersPlaced: number;
}

/** Forecasts and suggests for this worker's SKUs: the per-SKU work a nightly DSS run does. */
function run(task: SpeedTask): SpeedReport {
  const report: SpeedReport = {
    skus: 0,
    forecastMs: 0,
    suggestMs: 0,
    generateMs: 0,
    models: {},
    classes: {},
    unitsToOrder: 0,
    ordersPlaced: 0,
  };
  for (let i = task.first; i < task.skus; i += task.stride) {
    let t = process.hrtime.bigint();
    const sku = syntheticSku(i);
    report.generateMs += Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    const horizon = Math.ceil(sku.leadTimeDays + 4 * sku.leadTimeSdDays + task.reviewPeriodDays) + 1;
    const forecast = forecastDemand({
      values: sku.values,
      frequency: 'day',
      horizon,
      quantileLevels: POLICY_QUANTILE_LEVELS,
    });
    report.forecastMs += Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    const suggestion = suggestReplenishment({
      sku: sku.sku,
      policy: 'periodic',
      service: { kind: 'cycle_service', level: task.serviceLevel },
      demand: demandFromForecast(forecast),
      supply: {
        leadTimeDays: sku.leadTimeDays,
        leadTimeSdDays: sku.leadTimeSdDays,
        reviewPeriodDays: task.reviewPeriodDays,
        packSize: sku.packSize,
        unitCost: sku.unitCost,
      },
      stock: { onHand: sku.onHand },
    });
    report.suggestMs += Number(process.hrtime.bigint() - t) / 1e6;
    report.skus++;
    report.models[forecast.model] = (report.models[forecast.model] ?? 0) + 1;
    report.classes[forecast.classification.demandClass] =
      (report.classes[forecast.classification.demandClass] ?? 0) + 1;
    report.unitsToOrder += suggestion.orderQuantity;
    if (suggestion.orderQuantity > 0) report.ordersPlaced++;
  }
  return report;
}

if (parentPort) parentPort.postMessage(run(workerData as SpeedTask));
