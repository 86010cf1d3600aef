import { InteractionDataset } from '../core/interaction.dataset';
import type { Interaction, ItemAttributes } from '../core/interaction.types';
import { Rng } from '../math/rng';

export interface PlantedOptions {
  users?: number;
  items?: number;
  groups?: number;
  perUser?: number;
  /** Probability that an interaction goes to a random item instead of one of the user's group. */
  noise?: number;
  /** Items per group that are in the catalogue but have no interactions (cold start). */
  coldItemsPerGroup?: number;
  seed?: number;
}

export interface PlantedData {
  dataset: InteractionDataset;
  interactions: Interaction[];
  groups: number;
  groupOfUser(userId: string): number;
  groupOfItem(itemId: string): number;
  coldItems: string[];
}

export const GROUP_WORDS = ['garden', 'kitchen', 'toys', 'office', 'bath', 'party', 'travel', 'music'];

/**
 * Synthetic implicit feedback with a planted structure: users and items belong to groups, users mostly interact
 * with items of their own group (popular ones more often, Zipf-like), in a fixed order within the group so
 * sequences carry signal too. Item titles name the group, for the content model. Popularity, being blind to
 * groups, cannot recover the structure; every personalised model should.
 */
export function plantedGroups(options: PlantedOptions = {}): PlantedData {
  const { users = 120, items = 60, groups = 4, perUser = 10, noise = 0.1, coldItemsPerGroup = 1, seed = 1 } = options;
  const rng = new Rng(seed);
  const itemsOf: number[][] = Array.from({ length: groups }, () => []);
  for (let i = 0; i < items; i++) itemsOf[i % groups].push(i);
  const catalog: ItemAttributes[] = [];
  for (let i = 0; i < items; i++) {
    catalog.push({
      itemId: `i${i}`,
      title: `${GROUP_WORDS[i % groups]} item ${String.fromCharCode(97 + (i % 26))}x${i}`,
      categories: [GROUP_WORDS[i % groups]],
    });
  }
  const coldItems: string[] = [];
  for (let g = 0; g < groups; g++) {
    for (let c = 0; c < coldItemsPerGroup; c++) {
      const id = `cold-${g}-${c}`;
      coldItems.push(id);
      catalog.push({ itemId: id, title: `new ${GROUP_WORDS[g]} item`, categories: [GROUP_WORDS[g]] });
    }
  }
  const interactions: Interaction[] = [];
  const base = 1_700_000_000;
  for (let u = 0; u < users; u++) {
    const g = u % groups;
    const own = itemsOf[g];
    const chosen = new Set<number>();
    let guard = 0;
    while (chosen.size < Math.min(perUser, items) && guard++ < 10_000) {
      if (rng.next() < noise) chosen.add(rng.int(items));
      else chosen.add(own[Math.min(own.length - 1, Math.floor(own.length * Math.pow(rng.next(), 2)))]);
    }
    // Ordered by position within the group: a shared sequence for session models.
    const ordered = [...chosen].sort((a, b) => a - b);
    ordered.forEach((i, k) =>
      interactions.push({
        userId: `u${u}`,
        itemId: `i${i}`,
        timestamp: base + u * 3600 + k * 60,
        weight: 1,
        type: 'purchase',
      }),
    );
  }
  const dataset = InteractionDataset.fromInteractions(interactions, { items: catalog });
  return {
    dataset,
    interactions,
    groups,
    groupOfUser: (id) => Number(id.slice(1)) % groups,
    groupOfItem: (id) => (id.startsWith('cold-') ? Number(id.split('-')[1]) : Number(id.slice(1)) % groups),
    coldItems,
  };
}
