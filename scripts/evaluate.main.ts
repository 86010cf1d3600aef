import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaultRegistry, splitDataset } from '@app/recsys';
import { CliError, parseEvaluateOptions } from './evaluate/cli.options';
import { loadDataset } from './evaluate/dataset.loader';
import { runModels } from './evaluate/evaluation.runner';
import { formatRuns } from './evaluate/results.table';

/**
 * Offline evaluation of recommenders under full ranking:
 *   npm run evaluate -- --dataset movielens --file ../shared/data/ml-100k/u.data --split stratified-item --ratio 0.75
 * Prints a table and, with --json, writes every figure with the exact command that produced it.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseEvaluateOptions(argv, defaultRegistry.names());
  const log = (line: string): void => console.error(line);
  const t0 = performance.now();
  const { data, notes } = loadDataset(options.dataset, options.file);
  notes.forEach((n) => log(`note: ${n}`));
  log(
    `loaded ${data.size} interactions, ${data.numUsers} users, ${data.numItems} items in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const split = splitDataset(data, { method: options.split, ratio: options.ratio, seed: options.seed });
  log(`split ${split.description}: ${split.train.size} train / ${split.test.size} test interactions`);
  const models = options.models.length > 0 ? options.models : defaultRegistry.names();
  const runs = await runModels(defaultRegistry, models, split, options.k, log);
  console.log(formatRuns(runs, options.k));
  if (options.json) {
    mkdirSync(dirname(options.json), { recursive: true });
    const report = {
      command: `npm run evaluate -- ${argv.join(' ')}`,
      createdAt: new Date().toISOString(),
      node: process.version,
      dataset: {
        kind: options.dataset,
        file: options.file,
        interactions: data.size,
        users: data.numUsers,
        items: data.numItems,
        notes,
      },
      split: {
        method: options.split,
        ratio: options.ratio,
        seed: options.seed,
        train: split.train.size,
        test: split.test.size,
      },
      k: options.k,
      protocol: 'full ranking over all items; training items excluded; relevant = test items not in training',
      results: runs,
    };
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${options.json}`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof CliError) console.error(error.message);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(error instanceof CliError ? 2 : 1);
});
