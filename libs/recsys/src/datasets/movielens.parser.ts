import { RecsysError } from '../core/recsys.errors';
import type { Interaction, ItemAttributes } from '../core/interaction.types';

/**
 * MovieLens `u.data` (tab-separated user, item, rating, timestamp) as implicit feedback: every rating becomes one
 * interaction of weight 1, whatever its value. That is the protocol of the published top-k tables we compare with
 * (Microsoft Recommenders' MovieLens benchmark and Gorse's both treat every rated movie as relevant); keeping only
 * ratings ≥ 4 would make a different, harder task whose numbers are not comparable.
 */
export function parseMovieLensRatings(text: string): Interaction[] {
  const out: Interaction[] = [];
  const lines = text.split('\n');
  lines.forEach((line, n) => {
    if (line.trim() === '') return;
    const f = line.split('\t');
    const timestamp = Number(f[3]);
    if (f.length < 4 || !Number.isFinite(timestamp)) {
      throw new RecsysError('RECSYS.BAD_DATA', `u.data line ${n + 1}: expected user, item, rating, timestamp`);
    }
    out.push({ userId: f[0], itemId: f[1], timestamp, weight: 1, type: 'rating' });
  });
  return out;
}

const ML100K_GENRES = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

/** MovieLens 100K `u.item` (pipe-separated; id, title, dates, URL, 19 genre flags) as item attributes. */
export function parseMovieLensItems(text: string): ItemAttributes[] {
  const out: ItemAttributes[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const f = line.split('|');
    const flags = f.slice(5, 5 + ML100K_GENRES.length);
    const year = /(\d{4})\s*$/.exec(f[2] ?? '')?.[1];
    out.push({
      itemId: f[0],
      title: f[1],
      categories: ML100K_GENRES.filter((_, g) => flags[g] === '1'),
      ...(year ? { attributes: { decade: `${year.slice(0, 3)}0s` } } : {}),
    });
  }
  return out;
}
