/**
 * Content-based recommendations for cold start: TF-IDF vectors over an item's title, description, categories and
 * attributes (Salton & Buckley 1988 weighting: tf = 1 + ln(count), idf = ln((1 + N)/(1 + df)) + 1, rows
 * L2-normalised). A user's profile is the affinity-weighted sum of their items' vectors; an item scores the
 * cosine between profile and item. Items nobody has interacted with yet still score, which is the point; a user
 * with no history gets the most popular items. Explanations are exact both ways: per shared term, and per
 * history item (score = Σ_h a_h·cos(v_h, v_j)/‖profile‖). Plain JS over sparse vectors.
 */
import type { BlobValue, DecodedArtifact } from '../artifact/artifact.codec';
import { CsrMatrix } from '../core/csr.matrix';
import type { ItemAttributes } from '../core/interaction.types';
import { BaseRecommender, FitContext, UserHistory } from './base.recommender';
import type { ParamSchema } from './params.schema';
import type { Contribution } from './recommender.types';

export type ContentParams = {
  titleWeight: number;
  descriptionWeight: number;
  categoryWeight: number;
  attributeWeight: number;
  minDocumentFrequency: number;
  maxDocumentRatio: number;
  timeDecayDays: number;
};

export const CONTENT_SCHEMA: ParamSchema = {
  titleWeight: {
    type: 'number',
    default: 1,
    min: 0,
    search: { min: 0, max: 3 },
    doc: 'term-count multiplier for title words',
  },
  descriptionWeight: { type: 'number', default: 1, min: 0, doc: 'term-count multiplier for description words' },
  categoryWeight: {
    type: 'number',
    default: 1,
    min: 0,
    search: { min: 0, max: 3 },
    doc: 'term-count multiplier for categories',
  },
  attributeWeight: { type: 'number', default: 0.5, min: 0, doc: 'term-count multiplier for attribute key=value pairs' },
  minDocumentFrequency: {
    type: 'number',
    default: 2,
    min: 1,
    integer: true,
    doc: 'terms in fewer items are dropped (typos, ids)',
  },
  maxDocumentRatio: {
    type: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    doc: 'terms in a larger share of items are dropped (carry no signal)',
  },
  timeDecayDays: { type: 'number', default: 0, min: 0, doc: 'half-life of a history item in the profile (0 = none)' },
};

const STOPWORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or the this to with was were will set pack'.split(' '),
);
const DAY = 86_400;

/** Lower-cased alphanumeric words of two or more letters, stop words and bare numbers dropped, plural 's' stripped. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (raw.length < 2 || STOPWORDS.has(raw) || /^\d+$/.test(raw)) continue;
    out.push(raw.length > 3 && raw.endsWith('s') && !raw.endsWith('ss') ? raw.slice(0, -1) : raw);
  }
  return out;
}

export class ContentRecommender extends BaseRecommender<ContentParams> {
  readonly algorithm = 'content';
  protected readonly modelVersion = 1;
  private vocabulary: string[] = [];
  /** Items × terms, TF-IDF, rows L2-normalised. */
  private vectors?: CsrMatrix;
  private popularity: Float32Array = new Float32Array(0);

  constructor(params: Partial<ContentParams> = {}) {
    super(CONTENT_SCHEMA, 'content', params);
  }

  private termCounts(item: ItemAttributes | undefined): Map<string, number> {
    const counts = new Map<string, number>();
    if (!item) return counts;
    const add = (term: string, weight: number): void => {
      if (weight > 0) counts.set(term, (counts.get(term) ?? 0) + weight);
    };
    for (const w of tokenize(item.title ?? '')) add(`w:${w}`, this.params.titleWeight);
    for (const w of tokenize(item.description ?? '')) add(`w:${w}`, this.params.descriptionWeight);
    for (const c of item.categories ?? []) add(`c:${c.toLowerCase()}`, this.params.categoryWeight);
    for (const [k, v] of Object.entries(item.attributes ?? {}))
      add(`a:${k.toLowerCase()}=${String(v).toLowerCase()}`, this.params.attributeWeight);
    return counts;
  }

  protected async fitModel({ dataset, matrix }: FitContext): Promise<{ engine: string; notes: string[] }> {
    const n = dataset.numItems;
    const perItem = Array.from({ length: n }, (_, i) => this.termCounts(dataset.catalog.get(dataset.items.idOf(i))));
    const df = new Map<string, number>();
    for (const counts of perItem) for (const t of counts.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    const described = perItem.filter((c) => c.size > 0).length;
    const maxDf = Math.max(1, this.params.maxDocumentRatio * described);
    const vocabulary = [...df]
      .filter(([, d]) => d >= this.params.minDocumentFrequency && d <= maxDf)
      .map(([t]) => t)
      .sort();
    const termIndex = new Map(vocabulary.map((t, k) => [t, k]));
    const rows: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    perItem.forEach((counts, i) => {
      const entries: [number, number][] = [];
      let norm = 0;
      for (const [t, c] of counts) {
        const k = termIndex.get(t);
        if (k === undefined) continue;
        const w = (1 + Math.log(c)) * (Math.log((1 + described) / (1 + df.get(t)!)) + 1);
        entries.push([k, w]);
        norm += w * w;
      }
      norm = Math.sqrt(norm);
      for (const [k, w] of entries) {
        rows.push(i);
        cols.push(k);
        vals.push(w / norm);
      }
    });
    this.vocabulary = vocabulary;
    this.vectors = CsrMatrix.fromTriples(n, vocabulary.length, rows, cols, vals);
    this.popularity = Float32Array.from(matrix.columnCounts());
    const notes = [`${described} of ${n} items described, ${vocabulary.length} terms`];
    return { engine: 'js', notes };
  }

  private affinity(history: UserHistory, h: number): number {
    const halfLife = this.params.timeDecayDays;
    const w = history.weights[h];
    if (halfLife <= 0 || !history.times) return w;
    return w * Math.pow(2, -Math.max(0, Number(this.meta.now ?? 0) - history.times[h]) / (halfLife * DAY));
  }

  /** Sparse profile (term → weight) and its norm. */
  private profile(history: UserHistory): { terms: Map<number, number>; norm: number } {
    const v = this.vectors!;
    const terms = new Map<number, number>();
    for (let h = 0; h < history.items.length; h++) {
      const a = this.affinity(history, h);
      const i = history.items[h];
      for (let p = v.indptr[i]; p < v.indptr[i + 1]; p++)
        terms.set(v.indices[p], (terms.get(v.indices[p]) ?? 0) + a * v.values[p]);
    }
    let norm = 0;
    for (const w of terms.values()) norm += w * w;
    return { terms, norm: Math.sqrt(norm) };
  }

  scoreInto(history: UserHistory, out: Float32Array): void {
    const { terms, norm } = this.profile(history);
    if (norm === 0) {
      // Cold user: popularity, scaled below any real content match.
      const max = Math.max(1, ...this.popularity);
      for (let j = 0; j < out.length; j++) out[j] = (1e-3 * this.popularity[j]) / max;
      return;
    }
    const byTerm = this.vectors!.transpose();
    out.fill(0);
    for (const [t, w] of terms) {
      const x = w / norm;
      for (let p = byTerm.indptr[t]; p < byTerm.indptr[t + 1]; p++) out[byTerm.indices[p]] += x * byTerm.values[p];
    }
  }

  protected similarInto(item: number, out: Float32Array): boolean {
    const v = this.vectors!;
    if (v.rowLength(item) === 0) return false;
    const byTerm = v.transpose();
    out.fill(0);
    for (let p = v.indptr[item]; p < v.indptr[item + 1]; p++) {
      const t = v.indices[p];
      for (let q = byTerm.indptr[t]; q < byTerm.indptr[t + 1]; q++)
        out[byTerm.indices[q]] += v.values[p] * byTerm.values[q];
    }
    return true;
  }

  protected contributions(history: UserHistory, item: number): { list: Contribution[] } {
    const v = this.vectors!;
    const { terms, norm } = this.profile(history);
    const list: Contribution[] = [];
    if (norm === 0) {
      list.push({
        kind: 'popularity',
        id: 'users',
        weight: this.popularity[item],
        detail: 'no history: popular items',
      });
      return { list };
    }
    for (let p = v.indptr[item]; p < v.indptr[item + 1]; p++) {
      const w = terms.get(v.indices[p]);
      if (w === undefined) continue;
      const term = this.vocabulary[v.indices[p]];
      const kind = term.startsWith('w:') ? 'word' : term.startsWith('c:') ? 'category' : 'attribute';
      list.push({ kind: 'attribute', id: term.slice(2), weight: (w / norm) * v.values[p], detail: kind });
    }
    for (let h = 0; h < history.items.length; h++) {
      const i = history.items[h];
      let cos = 0;
      for (let p = v.indptr[i]; p < v.indptr[i + 1]; p++) cos += v.values[p] * v.get(item, v.indices[p]);
      if (cos > 0)
        list.push(
          this.itemContribution(i, (this.affinity(history, h) * cos) / norm, `content similarity ${cos.toFixed(3)}`),
        );
    }
    return { list };
  }

  protected modelBlobs(): Record<string, BlobValue> {
    const v = this.vectors!;
    return {
      vocabulary: this.vocabulary,
      'vectors.indptr': v.indptr,
      'vectors.indices': v.indices,
      'vectors.values': v.values,
      popularity: this.popularity,
    };
  }

  protected restoreModel(artifact: DecodedArtifact): void {
    this.vocabulary = artifact.blob<string[]>('vocabulary');
    const indptr = artifact.blob<Int32Array>('vectors.indptr');
    this.vectors = new CsrMatrix(
      indptr.length - 1,
      this.vocabulary.length,
      indptr,
      artifact.blob<Int32Array>('vectors.indices'),
      artifact.blob<Float32Array>('vectors.values'),
    );
    this.popularity = artifact.blob<Float32Array>('popularity');
  }
}
