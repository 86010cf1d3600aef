import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  InteractionDataset,
  ItemAttributes,
  parseInteractionsCsv,
  parseMovieLensItems,
  parseMovieLensRatings,
  parseOnlineRetail,
} from '@app/recsys';
import type { DatasetKind } from './cli.options';

export interface LoadedDataset {
  data: InteractionDataset;
  notes: string[];
}

function readText(file: string, encoding: BufferEncoding = 'utf8'): string {
  if (!existsSync(file)) throw new Error(`--file: ${file} does not exist`);
  const bytes = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString(encoding);
}

/** Reads a dataset by path (never copies it): MovieLens u.data (+ u.item beside it), Online Retail CSV(.gz), or a CSV. */
export function loadDataset(kind: DatasetKind, file: string): LoadedDataset {
  const notes: string[] = [];
  let items: ItemAttributes[] = [];
  switch (kind) {
    case 'movielens': {
      const interactions = parseMovieLensRatings(readText(file));
      const itemFile = join(dirname(file), 'u.item');
      if (existsSync(itemFile)) {
        items = parseMovieLensItems(readText(itemFile, 'latin1'));
        notes.push(`item titles and genres from ${itemFile}`);
      }
      notes.push('all ratings kept as implicit feedback (weight 1), as in the published ML-100K top-k tables');
      return { data: InteractionDataset.fromInteractions(interactions, { items }), notes };
    }
    case 'online-retail': {
      const parsed = parseOnlineRetail(readText(file));
      const dropped = Object.entries(parsed.stats.dropped)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(', ');
      notes.push(`${parsed.stats.rows} rows, ${parsed.stats.kept} purchases kept; dropped: ${dropped}`);
      return { data: InteractionDataset.fromInteractions(parsed.interactions, { items: parsed.items }), notes };
    }
    case 'csv':
      return { data: InteractionDataset.fromInteractions(parseInteractionsCsv(readText(file))), notes };
  }
}
