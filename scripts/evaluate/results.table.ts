import type { ModelRun } from './evaluation.runner';

/** A plain-text table, one row per model, columns aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatRuns(runs: readonly ModelRun[], k: number): string {
  const f = (x: number | undefined, digits = 4): string => (x === undefined ? '' : x.toFixed(digits));
  return formatTable(
    [
      'model',
      `P@${k}`,
      `R@${k}`,
      `NDCG@${k}`,
      `MAP@${k}`,
      `MRR@${k}`,
      `HR@${k}`,
      'cover',
      'novelty',
      'ARP',
      'ILD',
      'fit s',
      'eval s',
      'RSS MB',
      'held MB',
    ],
    runs.map((r) =>
      r.error
        ? [r.model, `error: ${r.error}`]
        : [
            r.model,
            f(r.evaluation?.precision),
            f(r.evaluation?.recall),
            f(r.evaluation?.ndcg),
            f(r.evaluation?.map),
            f(r.evaluation?.mrr),
            f(r.evaluation?.hitRate),
            f(r.evaluation?.coverage, 3),
            f(r.evaluation?.novelty, 2),
            f(r.evaluation?.averagePopularity, 1),
            f(r.evaluation?.diversity, 3),
            f(r.fit?.seconds, 2),
            f(r.evaluation?.seconds, 2),
            f(r.memory?.rssMb, 1),
            f(r.memory?.retainedMb, 1),
          ],
    ),
  );
}
