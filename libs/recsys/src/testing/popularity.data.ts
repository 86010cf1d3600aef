import { InteractionDataset } from '../core/interaction.dataset';

export const DAY_SECONDS = 86_400;

/** "old" was bought by 3 users 60 days ago; "new" by 2 users today; "heavy" 5 times by one user. */
export function popularityData(): InteractionDataset {
  return InteractionDataset.fromInteractions([
    { userId: 'a', itemId: 'old', timestamp: 0 },
    { userId: 'b', itemId: 'old', timestamp: 0 },
    { userId: 'c', itemId: 'old', timestamp: 0 },
    { userId: 'a', itemId: 'new', timestamp: 60 * DAY_SECONDS },
    { userId: 'b', itemId: 'new', timestamp: 60 * DAY_SECONDS },
    ...Array.from({ length: 5 }, (_, k) => ({ userId: 'd', itemId: 'heavy', timestamp: 30 * DAY_SECONDS + k })),
  ]);
}
