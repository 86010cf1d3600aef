import {
  coverage,
  fitCandidates,
  forecastDemand,
  mae,
  mape,
  MODEL_NAMES,
  ModelName,
  pinballLoss,
  predictionQuantiles,
  rmse,
  seasonalNaiveScale,
  smape,
  supportsModel,
} from '@app/forecasting';
import { readCsv } from '../../scripts/forecast-eval/csv.reader';
import { formatTable } from '../../scripts/forecast-eval/table.format';
import { parseArgs, sharedData, writeResult } from './bench.util';

/**
 * Accuracy on AirPassengers: train 1949-01..1959-12, test 1960. Seasonal naive must reproduce the published
 * MAE 47.83 and MAPE 9.99%; every model's MASE (scaled by in-sample seasonal naive) is reported.
 * Run: npm run build && node dist/bench/dss/airpassengers.bench.js [--file <csv>]
 */
async function main(): Promise<void> {
  const args = parseArgs(
    { file: sharedData('airpassengers', 'airpassengers_monthly.csv'), json: '' },
    'Usage: node dist/bench/dss/airpassengers.bench.js [--file airpassengers_monthly.csv] [--json out.json]',
  );
  const rows: { month: string; value: number }[] = [];
  for await (const r of readCsv(args.file)) rows.push({ month: r.month, value: Number(r.passengers) });
  rows.sort((a, b) => a.month.localeCompare(b.month));
  const train = rows.filter((r) => r.month <= '1959-12').map((r) => r.value);
  const test = rows.filter((r) => r.month >= '1960-01' && r.month <= '1960-12').map((r) => r.value);
  if (train.length !== 132 || test.length !== 12)
    throw new Error(`Expected 132 training and 12 test months, got ${train.length} and ${test.length}.`);
  const period = 12;
  const scale = seasonalNaiveScale(train, period);
  const levels = [0.025, 0.1, 0.5, 0.9, 0.975];
  const results: Record<string, number | string>[] = [];
  const evaluate = (name: string, label: string, mean: number[], perStep: number[][], ms: number) => {
    results.push({
      model: name,
      fitted: label,
      mae: mae(test, mean),
      rmse: rmse(test, mean),
      mape: mape(test, mean),
      smape: smape(test, mean),
      mase: mae(test, mean) / scale,
      coverage80: coverage(
        test,
        perStep.map((r) => r[1]),
        perStep.map((r) => r[3]),
      ),
      coverage95: coverage(
        test,
        perStep.map((r) => r[0]),
        perStep.map((r) => r[4]),
      ),
      pinball90: pinballLoss(
        test,
        perStep.map((r) => r[3]),
        0.9,
      ),
      ms,
    });
  };
  for (const name of MODEL_NAMES.filter((m): m is ModelName => m !== 'zero')) {
    if (!supportsModel(name, train, { period })) continue;
    const t0 = process.hrtime.bigint();
    const fit = fitCandidates([name], train, { period }).get(name)!;
    const mean = Array.from(fit.forecast(12), (v) => Math.max(0, v));
    const q = predictionQuantiles(fit, train, train, mean, {
      levels,
      integer: true,
      intermittent: false,
      minOrigin: period,
    });
    evaluate(name, fit.label, mean, q.perStep, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const t0 = process.hrtime.bigint();
  const auto = forecastDemand({ values: train, frequency: 'month', horizon: 12, quantileLevels: levels });
  evaluate(
    'auto',
    `${auto.label} (${auto.model})`,
    auto.mean,
    auto.perStep,
    Number(process.hrtime.bigint() - t0) / 1e6,
  );

  const f = (v: number | string, d = 2) => (typeof v === 'number' ? v.toFixed(d) : v);
  console.log(
    'AirPassengers: train 1949-01..1959-12 (132 months), test 1960 (12 months); MASE scale = in-sample seasonal naive MAE',
    scale.toFixed(2),
  );
  console.log(
    formatTable(
      ['model', 'fitted', 'MAE', 'RMSE', 'MAPE %', 'sMAPE %', 'MASE', '80% cover', '95% cover', 'ms'],
      results.map((r) => [
        String(r.model),
        String(r.fitted),
        f(r.mae),
        f(r.rmse),
        f(r.mape),
        f(r.smape),
        f(r.mase, 3),
        f(Number(r.coverage80) * 100, 0) + '%',
        f(Number(r.coverage95) * 100, 0) + '%',
        f(r.ms, 1),
      ]),
    ),
  );
  const snaive = results.find((r) => r.model === 'seasonal_naive')!;
  const reproduced = Math.abs(Number(snaive.mae) - 47.83) < 0.005 && Math.abs(Number(snaive.mape) - 9.99) < 0.005;
  console.log(
    `Seasonal naive check: MAE ${Number(snaive.mae).toFixed(2)} (expected 47.83), MAPE ${Number(snaive.mape).toFixed(2)}% (expected 9.99%) → ${reproduced ? 'REPRODUCED' : 'MISMATCH'}`,
  );
  const file = writeResult(
    'airpassengers',
    {
      benchmark: 'airpassengers',
      data: args.file,
      train: '1949-01..1959-12',
      test: '1960-01..1960-12',
      scale,
      seasonalNaiveReproduced: reproduced,
      autoChoice: auto.model,
      models: results,
    },
    args.json || undefined,
  );
  console.log(`Wrote ${file}`);
  if (!reproduced) process.exit(1);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
