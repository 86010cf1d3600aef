import { MALFORMED_CODES } from './import.types';
import { numberOrText, RowFormat } from './row-format';

/**
 * MovieLens ratings: ML-100K `u.data` (`user<TAB>item<TAB>rating<TAB>epochSeconds`) or ML-1M
 * `ratings.dat` (`user::item::rating::epochSeconds`); no header. One rating interaction per line; the
 * event id is the (user, item) pair, which MovieLens rates at most once.
 */
export function movielensFormat(): RowFormat {
  return {
    quoteAware: false,
    hasHeader: false,
    mapperFor: () => (text, row, batch) => {
      const fields = text.includes('\t') ? text.split('\t') : text.split('::');
      if (fields.length !== 4) {
        const message = `expected 4 tab- or ::-separated fields (user, item, rating, time), found ${fields.length}`;
        return batch.reject(row, text, MALFORMED_CODES.WRONG_COLUMN_COUNT, message);
      }
      const [userId, itemId, rating, time] = fields.map((field) => field.trim());
      batch.add(
        'interaction',
        {
          eventId: `ml:${userId}:${itemId}`,
          type: 'rating',
          userId,
          itemId,
          rating: numberOrText(rating),
          occurredAt: numberOrText(time),
        },
        row,
      );
    },
  };
}
