import type { EventSubject } from '@app/contracts/events';
import type { JetStreamClient, RawPublish } from '@app/platform/messaging';

/*
 * A synthetic shop for the feature-store benchmark, as ingestion would have published it: a catalogue
 * with stock, users with their consent, and sessions of interactions over the last days, all in one
 * time-ordered log. Held as columns (a million objects would cost more memory than the stream) and
 * serialised to JSON only when published.
 */

export interface ShopSettings {
  readonly items: number;
  readonly users: number;
  readonly interactionsPerUser: number;
  readonly sessionLength: number;
  readonly categories: number;
  readonly days: number;
  /** Zipf exponent of item popularity (1 ≈ the classic long tail). */
  readonly zipf: number;
  readonly seed: number;
}

export const INTERACTION_MIX: readonly (readonly [InteractionKind, number])[] = [
  ['view', 0.7],
  ['click', 0.1],
  ['add_to_cart', 0.1],
  ['purchase', 0.08],
  ['rating', 0.02],
];
type InteractionKind = 'view' | 'click' | 'add_to_cart' | 'purchase' | 'rating';

const enum Kind {
  Item,
  Stock,
  User,
  Interaction,
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Deterministic PRNG (mulberry32): the same seed gives the same shop. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const itemId = (i: number): string => `sku-${i}`;
export const userId = (u: number): string => `u-${u}`;

export class ShopLog {
  readonly size: number;
  readonly interactions: number;
  private readonly kind: Uint8Array;
  private readonly entity: Int32Array;
  private readonly item: Int32Array;
  private readonly type: Uint8Array;
  private readonly session: Int32Array;
  private readonly at: Float64Array;
  /** Log positions in time order. */
  private readonly order: Uint32Array;

  constructor(
    readonly settings: ShopSettings,
    readonly now = Date.now(),
  ) {
    const { items, users, interactionsPerUser, sessionLength, days } = settings;
    const rnd = random(settings.seed);
    this.interactions = users * interactionsPerUser;
    this.size = items * 2 + users + this.interactions;
    this.kind = new Uint8Array(this.size);
    this.entity = new Int32Array(this.size);
    this.item = new Int32Array(this.size);
    this.type = new Uint8Array(this.size);
    this.session = new Int32Array(this.size);
    this.at = new Float64Array(this.size);
    const start = now - days * DAY;
    let n = 0;
    const push = (kind: Kind, entity: number, at: number, item = 0, type = 0, session = 0) => {
      this.kind[n] = kind;
      this.entity[n] = entity;
      this.at[n] = Math.round(at);
      this.item[n] = item;
      this.type[n] = type;
      this.session[n] = session;
      n++;
    };
    // The catalogue exists before anyone shops; stock is observed once per item during the period.
    for (let i = 0; i < items; i++) {
      push(Kind.Item, i, start - rnd() * DAY);
      push(Kind.Stock, i, start + rnd() * (now - start));
    }
    const popular = zipfSampler(items, settings.zipf, rnd);
    const typeCdf = cumulative(INTERACTION_MIX.map(([, p]) => p));
    let sessionId = 0;
    for (let u = 0; u < users; u++) {
      let first = now;
      for (let done = 0; done < interactionsPerUser; sessionId++) {
        let t = start + rnd() * (now - start - 2 * 60 * MINUTE);
        first = Math.min(first, t);
        const seen: number[] = [];
        for (let k = 0; k < sessionLength && done < interactionsPerUser; k++, done++) {
          const type = pick(typeCdf, rnd());
          // Clicks, carts, purchases and ratings mostly follow an item viewed earlier in the session.
          const item = type !== 0 && seen.length > 0 && rnd() < 0.8 ? seen[Math.floor(rnd() * seen.length)] : popular();
          if (type === 0) seen.push(item);
          push(Kind.Interaction, u, t, item, type, sessionId);
          t += 15_000 + rnd() * 90_000;
        }
      }
      push(Kind.User, u, first - MINUTE);
    }
    const at = this.at;
    this.order = new Uint32Array(this.size).map((_, i) => i).sort((a, b) => at[a] - at[b] || a - b);
  }

  /** The `k`-th event in time order, as ingestion publishes it (msgId = the record's key). */
  message(k: number): RawPublish {
    const i = this.order[k];
    const at = new Date(this.at[i]).toISOString();
    const e = this.entity[i];
    let subjectSuffix: EventSubject;
    let msgId: string;
    let body: object;
    switch (this.kind[i] as Kind) {
      case Kind.Item: {
        const c = e % this.settings.categories;
        subjectSuffix = 'catalog.v1.item';
        msgId = `item:${itemId(e)}:${at}`;
        body = {
          itemId: itemId(e),
          title: `Item ${e}`,
          categories: [`dept-${c % 8}`, `cat-${c}`],
          brand: `brand-${e % 200}`,
          priceMinor: 199 + ((e * 7919) % 20_000),
          currency: 'GBP',
          attributes: { colour: ['red', 'blue', 'green', 'black'][e % 4] },
          updatedAt: at,
        };
        break;
      }
      case Kind.Stock:
        subjectSuffix = 'stock.v1.position';
        msgId = `stock:${itemId(e)}:store-1:${at}`;
        body = { sku: itemId(e), storeId: 'store-1', onHand: (e * 31) % 40, onOrder: (e * 17) % 3, observedAt: at };
        break;
      case Kind.User:
        subjectSuffix = 'catalog.v1.user';
        msgId = `user:${userId(e)}:${at}`;
        body = {
          userId: userId(e),
          attributes: { segment: `s${e % 5}` },
          personalisationConsent: e % 10 !== 0,
          updatedAt: at,
        };
        break;
      case Kind.Interaction: {
        const type = INTERACTION_MIX[this.type[i]][0];
        const eventId = `ev-${i}`;
        subjectSuffix = 'events.v1.interaction';
        msgId = eventId;
        body = {
          eventId,
          type,
          userId: userId(e),
          sessionId: `sess-${this.session[i]}`,
          itemId: itemId(this.item[i]),
          occurredAt: at,
          receivedAt: at,
          ...(type === 'purchase' || type === 'add_to_cart' ? { quantity: 1 + (i % 3) } : {}),
          ...(type === 'purchase' ? { unitPriceMinor: 199 + ((this.item[i] * 7919) % 20_000), currency: 'GBP' } : {}),
          ...(type === 'rating' ? { rating: 1 + (i % 5) } : {}),
          context: { page: 'product', device: i % 3 === 0 ? 'desktop' : 'mobile' },
        };
        break;
      }
    }
    return { subjectSuffix, msgId, body: Buffer.from(JSON.stringify(body)) };
  }
}

function cumulative(weights: readonly number[]): Float64Array {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  return Float64Array.from(weights, (w) => (acc += w / total));
}

/** Index of the first cumulative weight above `u`. */
function pick(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Items drawn with probability ∝ 1/rank^s; ranks shuffled so popularity is not ordered by id. */
function zipfSampler(n: number, s: number, rnd: () => number): () => number {
  const cdf = cumulative(Array.from({ length: n }, (_, r) => 1 / Math.pow(r + 1, s)));
  const itemOfRank = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [itemOfRank[i], itemOfRank[j]] = [itemOfRank[j], itemOfRank[i]];
  }
  return () => itemOfRank[pick(cdf, rnd())];
}

/** Publishes the log in time order, 5,000 messages at a time; resolves with the stream's last sequence. */
export async function publishShopLog(bus: JetStreamClient, log: ShopLog, chunkSize = 5_000): Promise<number> {
  let last = 0;
  for (let from = 0; from < log.size; from += chunkSize) {
    const chunk = Array.from({ length: Math.min(chunkSize, log.size - from) }, (_, k) => log.message(from + k));
    for (const a of await bus.publishMany(chunk, 60_000)) {
      if (a.duplicate) throw new Error(`duplicate msgId in the synthetic log near position ${from}`);
      last = Math.max(last, a.seq);
    }
  }
  return last;
}
