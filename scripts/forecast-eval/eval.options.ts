import { existsSync } from 'node:fs';
import { Frequency, isFrequency, ModelName, MODEL_NAMES } from '@app/forecasting';

export type Aggregation = 'none' | 'sum' | 'mean' | 'last';

export interface EvalOptions {
  file: string;
  id?: string;
  time: string;
  value: string;
  freq: Frequency;
  holdout: number;
  json?: string;
  agg: Aggregation;
  models?: ModelName[];
  limit?: number;
  minLength?: number;
  /** Level of the central prediction interval whose coverage is reported (default 0.9). */
  interval: number;
}

export class OptionError extends Error {}

export const USAGE = `Usage: npm run forecast-eval -- --file <csv|csv.gz> --time <column> --value <column> --freq <day|week|month>
         --holdout <periods> [--id <column>] [--json <output.json>] [--agg none|sum|mean|last]
         [--models ets,theta,...] [--limit <series>] [--min-length <periods>] [--interval 0.9]

Backtests every model and the automatic selection on the last --holdout periods of each series (long format: one
row per series and period). Without --id the whole file is one series. Rows falling in the same period are combined
with --agg (default: none, which refuses duplicates). Missing periods count as zero demand.`;

/** Parses `--name value` pairs; every problem names the option. */
export function parseOptions(argv: readonly string[]): EvalOptions {
  const raw = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') throw new OptionError(USAGE);
    if (!arg.startsWith('--')) throw new OptionError(`Unexpected argument "${arg}": options look like --name value.`);
    const [name, inline] = arg.slice(2).split('=', 2);
    const value = inline ?? argv[i + 1];
    if (inline === undefined) i++;
    if (value === undefined || value.startsWith('--')) throw new OptionError(`Option --${name} needs a value.`);
    raw.set(name, value);
  }
  const known = [
    'file',
    'id',
    'time',
    'value',
    'freq',
    'holdout',
    'json',
    'agg',
    'models',
    'limit',
    'min-length',
    'interval',
  ];
  for (const name of raw.keys())
    if (!known.includes(name))
      throw new OptionError(`Unknown option --${name}. Known: ${known.map((k) => `--${k}`).join(', ')}.`);
  const required = (name: string): string => {
    const v = raw.get(name);
    if (v === undefined || v === '') throw new OptionError(`Missing required option --${name}.\n\n${USAGE}`);
    return v;
  };
  const positiveInt = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new OptionError(`Option --${name} must be a positive whole number, got "${v}".`);
    return n;
  };
  const file = required('file');
  if (!existsSync(file)) throw new OptionError(`Option --file: no such file "${file}".`);
  const freq = required('freq');
  if (!isFrequency(freq)) throw new OptionError(`Option --freq must be day, week or month, got "${freq}".`);
  const agg = raw.get('agg') ?? 'none';
  if (!['none', 'sum', 'mean', 'last'].includes(agg))
    throw new OptionError(`Option --agg must be none, sum, mean or last, got "${agg}".`);
  let models: ModelName[] | undefined;
  if (raw.has('models')) {
    models = raw
      .get('models')!
      .split(',')
      .map((m) => m.trim()) as ModelName[];
    const bad = models.filter((m) => !(MODEL_NAMES as readonly string[]).includes(m));
    if (bad.length > 0)
      throw new OptionError(`Option --models: unknown model ${bad.join(', ')}. Known: ${MODEL_NAMES.join(', ')}.`);
  }
  const interval = raw.has('interval') ? Number(raw.get('interval')) : 0.9;
  if (!(interval > 0 && interval < 1))
    throw new OptionError(`Option --interval must be between 0 and 1, got "${raw.get('interval')}".`);
  return {
    file,
    id: raw.get('id'),
    time: required('time'),
    value: required('value'),
    freq,
    holdout: positiveInt('holdout', required('holdout')),
    json: raw.get('json'),
    agg: agg as Aggregation,
    models,
    limit: raw.has('limit') ? positiveInt('limit', raw.get('limit')!) : undefined,
    minLength: raw.has('min-length') ? positiveInt('min-length', raw.get('min-length')!) : undefined,
    interval,
  };
}
