import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { DatasetSplit, defaultRegistry, InteractionDataset, kFoldSplits, loadTf, splitDataset } from '@app/recsys';
import type { DatasetKind } from '../../scripts/evaluate/cli.options';
import { loadDataset } from '../../scripts/evaluate/dataset.loader';
import { formatTable } from '../../scripts/evaluate/results.table';
import { BenchJob, BenchJobResult, toColumns } from './bench.protocol';

/**
 * Training benchmark: fit time, memory and full-ranking P/R/NDCG@10 for every model, each fit in a fresh
 * process. Protocols:
 *  - ml100k-msr: MovieLens 100K, 75/25 split stratified by item, all ratings as implicit feedback, 5 seeds
 *    (Microsoft Recommenders' MovieLens benchmark protocol);
 *  - ml100k-cv5: MovieLens 100K, 5-fold cross-validation over all interactions (Gorse's protocol);
 *  - retail-temporal: Online Retail purchases, global temporal 80/20 split (train on the past).
 *
 *   npm run build --silent && node dist/bench/training/training.bench.js [--quick] [--models a,b] [--protocols p,q]
 *
 * Data is read in place (MovieLens is research-only data: never copied into the project).
 */
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const ML100K = resolve(option('ml100k') ?? '../shared/data/ml-100k/u.data');
const RETAIL = resolve(option('online-retail') ?? '../shared/data/online-retail/online_retail.csv.gz');
const MODELS = option('models')?.split(',') ?? defaultRegistry.names();
const K = 10;
const SEEDS = quick ? [1] : [1, 2, 3, 4, 5];
const FOLDS = quick ? [0] : [0, 1, 2, 3, 4];

interface Protocol {
  name: string;
  description: string;
  dataset: DatasetKind;
  file: string;
  splits(data: InteractionDataset): DatasetSplit[];
  /** Per-protocol parameters, e.g. a hybrid validated the way this protocol tests. */
  params?: Record<string, Record<string, unknown>>;
  published?: { source: string; precision: number; ndcg: number }[];
}

const PROTOCOLS: Protocol[] = [
  {
    name: 'ml100k-msr',
    description: 'MovieLens 100K, 75/25 stratified by item, all ratings implicit, full ranking, mean over seeds',
    dataset: 'movielens',
    file: ML100K,
    splits: (data) => SEEDS.map((seed) => splitDataset(data, { method: 'stratified-item', ratio: 0.75, seed })),
    published: [
      { source: 'Microsoft Recommenders, BiVAE (best in its table)', precision: 0.412, ndcg: 0.475 },
      { source: 'Microsoft Recommenders, BPR (cornac)', precision: 0.388, ndcg: 0.442 },
      { source: 'Microsoft Recommenders, SAR', precision: 0.33, ndcg: 0.382 },
    ],
  },
  {
    name: 'ml100k-cv5',
    description: 'MovieLens 100K, 5-fold cross-validation over all interactions, full ranking, mean over folds',
    dataset: 'movielens',
    file: ML100K,
    splits: (data) => kFoldSplits(data, 5, 1).filter((_, f) => FOLDS.includes(f)),
    published: [{ source: 'Gorse, ALS/WRMF', precision: 0.347, ndcg: 0.416 }],
  },
  {
    name: 'retail-temporal',
    description: 'Online Retail purchases by known customers, temporal 80/20, new items only, full ranking',
    dataset: 'online-retail',
    file: RETAIL,
    splits: (data) => [splitDataset(data, { method: 'temporal', ratio: 0.8, seed: 0 })],
    params: { hybrid: { validation: 'temporal' } },
  },
];

function runJob(job: BenchJob): Promise<BenchJobResult> {
  return new Promise((done) => {
    const child = fork(join(__dirname, 'model.worker.js'), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced', // typed arrays cross as binary
    });
    let result: BenchJobResult | undefined;
    child.on('message', (m: BenchJobResult) => (result = m));
    child.on('exit', (code) =>
      done(
        result ??
          ({ model: job.model, replicate: job.replicate, error: `worker exited with code ${code}` } as BenchJobResult),
      ),
    );
    child.send(job);
  });
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const sd = (xs: number[]): number => {
  const m = mean(xs);
  return xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
};
type Stat = { mean: number; sd: number };
interface Row {
  model: string;
  params: Record<string, unknown>;
  runs: number;
  errors: string[];
  engine?: string;
  fitSeconds: Stat;
  peakRssMb: number;
  retainedMb: number;
  artifactMb?: number;
  users?: number;
  precision: Stat;
  recall: Stat;
  ndcg: Stat;
  map: Stat;
  coverage: Stat;
  notes?: string[];
}

async function main(): Promise<void> {
  const selected = option('protocols')?.split(',') ?? PROTOCOLS.map((p) => p.name);
  const tf = await loadTf();
  const report = {
    command: `node dist/bench/training/training.bench.js ${args.join(' ')}`.trim(),
    createdAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, tfBackend: tf.getBackend() },
    k: K,
    protocols: [] as unknown[],
  };
  for (const protocol of PROTOCOLS.filter((p) => selected.includes(p.name))) {
    console.log(`\n== ${protocol.name}: ${protocol.description}`);
    const { data } = loadDataset(protocol.dataset, protocol.file);
    const splits = protocol.splits(data);
    const rows: Row[] = [];
    for (const model of MODELS) {
      const params = protocol.params?.[model] ?? {};
      const results: BenchJobResult[] = [];
      for (const [replicate, split] of splits.entries()) {
        const r = await runJob({
          protocol: protocol.name,
          model,
          params,
          k: K,
          replicate,
          users: [...data.users.toArray()],
          items: [...data.items.toArray()],
          catalog: [...data.catalog.values()],
          train: toColumns(split.train),
          test: toColumns(split.test),
        });
        results.push(r);
        if (r.error) console.error(`  ${model}: ${r.error}`);
      }
      const ok = results.filter((r) => !r.error);
      const stat = (key: 'precision' | 'recall' | 'ndcg' | 'map' | 'fitSeconds' | 'coverage'): Stat => ({
        mean: mean(ok.map((r) => r[key])),
        sd: sd(ok.map((r) => r[key])),
      });
      const row: Row = {
        model,
        params,
        runs: ok.length,
        errors: results.filter((r) => r.error).map((r) => r.error!),
        engine: ok[0]?.engine,
        fitSeconds: stat('fitSeconds'),
        peakRssMb: Math.max(0, ...ok.map((r) => r.peakRssMb)),
        retainedMb: Math.max(0, ...ok.map((r) => r.retainedMb)),
        artifactMb: ok[0]?.artifactMb,
        users: ok[0]?.users,
        precision: stat('precision'),
        recall: stat('recall'),
        ndcg: stat('ndcg'),
        map: stat('map'),
        coverage: stat('coverage'),
        notes: ok[0]?.notes,
      };
      rows.push(row);
      console.log(
        `  ${model.padEnd(12)} NDCG@${K} ${row.ndcg.mean.toFixed(4)} ± ${row.ndcg.sd.toFixed(4)}  P@${K} ${row.precision.mean.toFixed(4)}  fit ${row.fitSeconds.mean.toFixed(2)} s`,
      );
    }
    const f = (s: Stat, d = 4): string => `${s.mean.toFixed(d)} ±${s.sd.toFixed(d)}`;
    const table = formatTable(
      [
        'model',
        `P@${K}`,
        `R@${K}`,
        `NDCG@${K}`,
        `MAP@${K}`,
        'cover',
        'fit s',
        'peak RSS MB',
        'retained MB',
        'artifact MB',
        'engine',
      ],
      rows.map((row) => [
        row.model,
        f(row.precision),
        f(row.recall),
        f(row.ndcg),
        f(row.map),
        row.coverage.mean.toFixed(3),
        f(row.fitSeconds, 2),
        row.peakRssMb.toFixed(1),
        row.retainedMb.toFixed(1),
        String(row.artifactMb ?? ''),
        row.engine ?? '',
      ]),
    );
    console.log(`\n${table}`);
    for (const p of protocol.published ?? [])
      console.log(`  published: ${p.source}: P@10 ${p.precision}, NDCG@10 ${p.ndcg}`);
    const best = rows.reduce((a, b) => (b.ndcg.mean > a.ndcg.mean ? b : a));
    const targets = (protocol.published ?? []).slice(0, 1).map((p) => ({
      target: p.source,
      bestModel: best.model,
      ndcg: best.ndcg.mean,
      precision: best.precision.mean,
      beatsNdcg: best.ndcg.mean > p.ndcg,
      beatsPrecision: best.precision.mean > p.precision,
    }));
    for (const t of targets) {
      console.log(
        `  target ${t.target}: best ${t.bestModel} NDCG@10 ${t.ndcg.toFixed(4)} (${t.beatsNdcg ? 'beats' : 'BELOW'}), P@10 ${t.precision.toFixed(4)} (${t.beatsPrecision ? 'beats' : 'BELOW'})`,
      );
    }
    report.protocols.push({
      name: protocol.name,
      description: protocol.description,
      replicates: splits.length,
      published: protocol.published ?? [],
      targets,
      results: rows,
    });
  }
  const out = resolve(option('json') ?? 'bench/results/training.json');
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
