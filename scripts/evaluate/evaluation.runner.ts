import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AlgorithmRegistry, DatasetSplit, EvaluationResult, evaluateRecommender, FitReport } from '@app/recsys';

/** In-process and therefore approximate (earlier models' memory may be released meanwhile); the benchmark runs each fit in its own process. */
export interface MemoryDelta {
  /** Resident set growth across the fit (includes garbage not yet collected, so close to the peak). */
  rssMb: number;
  /** Heap + typed-array memory still held after the fit and a full GC: the model's footprint. */
  retainedMb: number;
}

export interface ModelRun {
  model: string;
  fit?: FitReport;
  memory?: MemoryDelta;
  artifactBytes?: number;
  evaluation?: EvaluationResult;
  error?: string;
}

/** A full GC, when the runtime lets us have one (flag set at run time: npm scripts cannot pass --expose-gc). */
const fullGc: () => void = (() => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return () => undefined;
  }
})();

/** Array-buffer memory is released in a later phase than the heap: collect twice, with a turn of the loop between. */
async function gc(): Promise<void> {
  fullGc();
  await new Promise((resolve) => setImmediate(resolve));
  fullGc();
}

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
const held = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** Fits and evaluates each model in turn on one split, measuring time and memory; a failing model is reported, not fatal. */
export async function runModels(
  registry: AlgorithmRegistry,
  names: readonly string[],
  split: DatasetSplit,
  k: number,
  log: (line: string) => void = () => undefined,
  params: Record<string, Record<string, unknown>> = {},
): Promise<ModelRun[]> {
  const runs: ModelRun[] = [];
  for (const name of names) {
    await gc();
    const rss0 = process.memoryUsage().rss;
    const held0 = held();
    try {
      const model = registry.create(name, params[name] ?? {});
      log(`fitting ${name}…`);
      const fit = await model.fit(split.train);
      const rss1 = process.memoryUsage().rss;
      await gc();
      const memory = { rssMb: mb(rss1 - rss0), retainedMb: mb(held() - held0) };
      const artifactBytes = model.serialize().byteLength;
      const evaluation = evaluateRecommender(model, split.train, split.test, { k });
      log(`  ${name}: fit ${fit.seconds.toFixed(2)} s, NDCG@${k} ${evaluation.ndcg.toFixed(4)}`);
      runs.push({ model: name, fit, memory, artifactBytes, evaluation });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`  ${name}: FAILED ${message}`);
      runs.push({ model: name, error: message });
    }
  }
  return runs;
}
