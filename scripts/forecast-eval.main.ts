import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseOptions, OptionError, EvalOptions } from './forecast-eval/eval.options';
import { loadSeries } from './forecast-eval/series.loader';
import {
  ALL_MODELS,
  AUTO,
  EvaluatedModel,
  evaluateSeries,
  SeriesEvaluation,
  summarise,
  ModelSummary,
} from './forecast-eval/model.evaluator';
import { formatTable } from './forecast-eval/table.format';
import { SEASONAL_PERIOD } from '@app/forecasting';

/**
 * Evaluation CLI: backtests every forecasting model and the automatic selection on a long-format file.
 * `npm run forecast-eval -- --help` for the options.
 */
async function main(): Promise<void> {
  const options: EvalOptions = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const loaded = await loadSeries(options);
  const period = SEASONAL_PERIOD[options.freq];
  const minLength = options.minLength ?? options.holdout + Math.max(2 * period, 8);
  const eligible = loaded.filter((s) => s.values.length >= minLength);
  const series = options.limit ? eligible.slice(0, options.limit) : eligible;
  if (series.length === 0) {
    throw new OptionError(
      `No series has at least ${minLength} periods (holdout ${options.holdout} + history); ${loaded.length} series read. Lower --holdout or --min-length.`,
    );
  }
  const models = options.models ?? ALL_MODELS;
  const filled = series.reduce((s, x) => s + x.filled, 0);
  const floored = series.reduce((s, x) => s + x.floored, 0);
  console.log(
    `${options.file}: ${loaded.length} series read, ${series.length} evaluated (≥ ${minLength} ${options.freq}s), holdout ${options.holdout}, seasonal period ${period}; ${filled} missing periods filled with 0, ${floored} net-negative periods floored at 0.`,
  );
  const evaluations: SeriesEvaluation[] = [];
  series.forEach((s, i) => {
    evaluations.push(
      evaluateSeries(s.id, s.values, {
        freq: options.freq,
        holdout: options.holdout,
        models,
        interval: options.interval,
      }),
    );
    if (process.stderr.isTTY && (i % 10 === 9 || i === series.length - 1))
      process.stderr.write(`\r  ${i + 1}/${series.length} series`);
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const rows = summarise(evaluations, [...models, AUTO] as EvaluatedModel[]);
  console.log(render(rows, options, evaluations.length === 1));
  const choices: Record<string, number> = {};
  for (const e of evaluations) if (e.autoChoice) choices[e.autoChoice] = (choices[e.autoChoice] ?? 0) + 1;
  const classes: Record<string, number> = {};
  for (const e of evaluations) classes[e.demandClass] = (classes[e.demandClass] ?? 0) + 1;
  console.log(`Demand classes: ${JSON.stringify(classes)}. Automatic selection chose: ${JSON.stringify(choices)}.`);
  const seconds = (Date.now() - started) / 1000;
  console.log(`Done in ${seconds.toFixed(1)} s.`);
  if (options.json) {
    mkdirSync(dirname(options.json), { recursive: true });
    writeFileSync(
      options.json,
      JSON.stringify(
        {
          command: `forecast-eval ${process.argv.slice(2).join(' ')}`,
          file: options.file,
          frequency: options.freq,
          seasonalPeriod: period,
          holdout: options.holdout,
          intervalLevel: options.interval,
          seriesRead: loaded.length,
          seriesEvaluated: evaluations.length,
          demandClasses: classes,
          autoChoices: choices,
          seconds,
          models: rows,
          series: evaluations.map((e) => ({
            id: e.id,
            length: e.length,
            demandClass: e.demandClass,
            autoChoice: e.autoChoice,
            mase: Object.fromEntries(Object.entries(e.scores).map(([m, s]) => [m, s?.mase])),
          })),
        },
        (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
        2,
      ),
    );
    console.log(`Wrote ${options.json}.`);
  }
}

function render(rows: ModelSummary[], options: EvalOptions, single: boolean): string {
  const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '–');
  const num = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const header = [
    'model',
    'series',
    'mean MASE',
    'median MASE',
    'bias/scale',
    `${Math.round(options.interval * 100)}% cover`,
    'SPL',
    'beats sNaive',
    'time s',
  ];
  if (single) header.push('MAE', 'MAPE %', 'fitted');
  return formatTable(
    header,
    rows.map((r) => {
      const cells = [
        r.model,
        String(r.series),
        num(r.meanMase),
        num(r.medianMase),
        num(r.meanScaledBias),
        pct(r.coverage),
        num(r.meanSpl),
        pct(r.beatsSeasonalNaive),
        num(r.seconds, 2),
      ];
      if (single) cells.push(num(r.mae ?? Number.NaN, 2), num(r.mape ?? Number.NaN, 2), r.label ?? '');
      return cells;
    }),
  );
}

main().catch((error: unknown) => {
  if (error instanceof OptionError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
