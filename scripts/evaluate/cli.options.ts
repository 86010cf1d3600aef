import { SPLIT_METHODS, SplitMethod } from '@app/recsys';

export const DATASETS = ['movielens', 'online-retail', 'csv'] as const;
export type DatasetKind = (typeof DATASETS)[number];

export interface EvaluateOptions {
  dataset: DatasetKind;
  file: string;
  split: SplitMethod;
  ratio: number;
  seed: number;
  /** Empty means every registered algorithm. */
  models: string[];
  k: number;
  json?: string;
}

export const USAGE = `Usage: npm run evaluate -- --dataset <movielens|online-retail|csv> --file <path>
         [--split <${SPLIT_METHODS.join('|')}>] [--ratio <0..1>] [--seed <n>]
         [--models <comma list, default all>] [--k <n>] [--json <output path>]
Defaults: --split stratified-user --ratio 0.75 --seed 42 --k 10 (--ratio is ignored by leave-last-out).`;

export class CliError extends Error {}

/** Parses `--name value` / `--name=value`; every problem names its option, all reported at once. */
export function parseEvaluateOptions(argv: readonly string[], knownModels: readonly string[]): EvaluateOptions {
  const raw = new Map<string, string>();
  const problems: string[] = [];
  const allowed = ['dataset', 'file', 'split', 'ratio', 'seed', 'models', 'k', 'json'];
  for (let a = 0; a < argv.length; a++) {
    const arg = argv[a];
    if (!arg.startsWith('--')) {
      problems.push(`unexpected argument "${arg}" (options look like --name value)`);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : argv[a + 1];
    if (eq < 0) {
      if (value === undefined || value.startsWith('--')) value = undefined;
      else a++;
    }
    if (!allowed.includes(name))
      problems.push(`--${name}: unknown option (known: ${allowed.map((o) => `--${o}`).join(', ')})`);
    else if (value === undefined || value === '') problems.push(`--${name}: missing value`);
    else if (raw.has(name)) problems.push(`--${name}: given twice`);
    else raw.set(name, value);
  }
  const dataset = raw.get('dataset');
  if (dataset === undefined) problems.push('--dataset: required (movielens, online-retail or csv)');
  else if (!(DATASETS as readonly string[]).includes(dataset)) {
    problems.push(`--dataset: "${dataset}" is not one of ${DATASETS.join(', ')}`);
  }
  const file = raw.get('file');
  if (file === undefined) problems.push('--file: required (path to the data file)');
  const split = raw.get('split') ?? 'stratified-user';
  if (!(SPLIT_METHODS as readonly string[]).includes(split)) {
    problems.push(`--split: "${split}" is not one of ${SPLIT_METHODS.join(', ')}`);
  }
  const ratio = Number(raw.get('ratio') ?? '0.75');
  if (!(ratio > 0 && ratio < 1))
    problems.push(`--ratio: "${raw.get('ratio')}" must be a number strictly between 0 and 1`);
  const seedText = raw.get('seed') ?? '42';
  const seed = Number(seedText);
  if (!Number.isInteger(seed) || seed < 0) problems.push(`--seed: "${seedText}" must be a non-negative integer`);
  const kText = raw.get('k') ?? '10';
  const k = Number(kText);
  if (!Number.isInteger(k) || k < 1) problems.push(`--k: "${kText}" must be a positive integer`);
  const models = (raw.get('models') ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '' && m !== 'all');
  const unknown = models.filter((m) => !knownModels.includes(m));
  if (unknown.length > 0) {
    problems.push(`--models: unknown model(s) ${unknown.join(', ')} (known: ${knownModels.join(', ')})`);
  }
  if (problems.length > 0) throw new CliError(`${problems.join('\n')}\n\n${USAGE}`);
  return {
    dataset: dataset as DatasetKind,
    file: file!,
    split: split as SplitMethod,
    ratio,
    seed,
    models,
    k,
    json: raw.get('json'),
  };
}
