import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { defaultRegistry, evaluateRecommender, IdMap } from '@app/recsys';
import { BenchJob, BenchJobResult, fromColumns } from './bench.protocol';

setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;
/** Array-buffer memory is released in a later phase than the heap: collect twice, with a turn of the loop between. */
const gc = async (): Promise<void> => {
  fullGc();
  await new Promise((r) => setImmediate(r));
  fullGc();
};
const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
const held = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;

/** Child process: receives one split, fits one model, evaluates it, reports to the parent, exits. */
async function run(job: BenchJob): Promise<BenchJobResult> {
  const users = new IdMap(job.users);
  const items = new IdMap(job.items);
  const catalog = new Map(job.catalog.map((c) => [c.itemId, c]));
  const train = fromColumns(users, items, catalog, job.train);
  const test = fromColumns(users, items, catalog, job.test);
  train.toMatrix();
  test.toMatrix();
  await gc();
  const peak0 = process.resourceUsage().maxRSS;
  const held0 = held();
  const model = defaultRegistry.create(job.model, job.params ?? {});
  const report = await model.fit(train);
  const peak1 = process.resourceUsage().maxRSS;
  await gc();
  const retained = held() - held0;
  const artifact = model.serialize();
  const e = evaluateRecommender(model, train, test, { k: job.k });
  return {
    model: job.model,
    replicate: job.replicate,
    fitSeconds: report.seconds,
    engine: report.engine,
    peakRssMb: mb((peak1 - peak0) * 1024),
    retainedMb: mb(retained),
    artifactMb: mb(artifact.byteLength),
    users: e.users,
    precision: e.precision,
    recall: e.recall,
    ndcg: e.ndcg,
    map: e.map,
    mrr: e.mrr,
    hitRate: e.hitRate,
    coverage: e.coverage,
    novelty: e.novelty,
    diversity: e.diversity,
    ...(report.notes && report.notes.length > 0 ? { notes: report.notes } : {}),
  };
}

process.once('message', (job: BenchJob) => {
  run(job)
    .catch(
      (error: unknown) =>
        ({
          model: job.model,
          replicate: job.replicate,
          error: error instanceof Error ? error.message : String(error),
        }) as BenchJobResult,
    )
    .then((result) => process.send!(result, () => process.exit(0)));
});
