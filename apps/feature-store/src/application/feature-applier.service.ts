import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform/config';
import { createHash } from 'node:crypto';
import {
  BasketMember,
  basketKey,
  basketOf,
  coKindOf,
  ErasureFact,
  Fact,
  FEATURE_VIEWS,
  FeatureParams,
  foldFacts,
  InteractionFact,
  ItemContentState,
  itemStatsView,
  planCooccurrence,
  retractMembers,
  userActivityView,
  userProfileView,
  ViewContext,
  ViewState,
} from '../domain';
import { FeatureStoreConfig, featureParams } from '../feature-store.config';
import { FeatureRepository, StateRow } from '../infra/feature.repository';
import { decodeEvent } from './fact.decoder';

type Q = Parameters<FeatureRepository['lockPosition']>[0];

export interface StreamMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: unknown;
}

export interface ApplyOutcome {
  /** Facts that changed the store (new, not erased). */
  readonly applied: number;
  /** Messages refused for good (payload breaks its schema), with why. */
  readonly rejected: { seq: number; reason: string }[];
}

const SEP = '\u001f';
const ONLINE_VIEWS = FEATURE_VIEWS.filter((v) => v.online);

export function userHash(userId: string): string {
  return createHash('sha256').update(userId).digest('hex');
}

/**
 * Applies the event stream to the store, one batch per transaction: the offline history, every
 * feature view's online state, the co-occurrence tables and the erasures. Idempotent by content
 * (event ids and version keys), so a redelivered or replayed message changes nothing.
 */
@Injectable()
export class FeatureApplier {
  readonly params: FeatureParams;

  constructor(
    private readonly repo: FeatureRepository,
    @Inject(APP_CONFIG) config: FeatureStoreConfig,
  ) {
    this.params = featureParams(config);
  }

  /** The history and the online feature views, one transaction per batch. */
  applyBatch(consumer: string, messages: readonly StreamMessage[]): Promise<ApplyOutcome> {
    return this.apply(
      consumer,
      messages,
      (q, facts) => this.applyFacts(q, facts),
      (q, e) => this.erase(q, e),
    );
  }

  /**
   * The co-occurrence tables (neighbours), from the same stream by a consumer of their own: both halves
   * apply in stream order, in parallel, each idempotent by content.
   */
  applyNeighbours(consumer: string, messages: readonly StreamMessage[]): Promise<ApplyOutcome> {
    return this.apply(
      consumer,
      messages,
      async (q, facts) => {
        const fresh = (await this.notErased(q, facts)).filter((f): f is InteractionFact => f.kind === 'interaction');
        return this.cooccurrence(q, fresh);
      },
      (q, e) => this.eraseNeighbours(q, e),
    );
  }

  private async apply(
    consumer: string,
    messages: readonly StreamMessage[],
    facts: (q: Q, facts: Fact[]) => Promise<number>,
    erasure: (q: Q, e: ErasureFact) => Promise<number>,
  ): Promise<ApplyOutcome> {
    const rejected: { seq: number; reason: string }[] = [];
    const segments: (Fact[] | ErasureFact)[] = [[]];
    for (const m of messages) {
      const d = decodeEvent(m.subject, m.data, m.seq);
      if (d.outcome === 'rejected') rejected.push({ seq: m.seq, reason: d.reason });
      else if (d.outcome === 'fact') (segments[segments.length - 1] as Fact[]).push(d.fact);
      else if (d.outcome === 'erasure') segments.push(d.erasure, []);
    }
    let applied = 0;
    await this.repo.dataSource.transaction(async (em) => {
      await this.repo.lockPosition(em, consumer);
      for (const s of segments) {
        if (Array.isArray(s)) applied += s.length ? await facts(em, s) : 0;
        else applied += await erasure(em, s);
      }
      const last = messages.reduce((a, m) => Math.max(a, m.seq), 0);
      await this.repo.advancePosition(em, consumer, last, messages.length);
    });
    return { applied, rejected };
  }

  private async applyFacts(q: Q, all: readonly Fact[]): Promise<number> {
    if (all.length === 0) return 0;
    const facts = await this.fresh(q, await this.notErased(q, all));
    if (facts.length === 0) return 0;

    // Every state the facts touch, plus the content of interacted items (for category affinities).
    const wanted = new Map<string, [string, string]>();
    for (const f of facts) {
      for (const v of ONLINE_VIEWS) for (const k of v.keysOf(f)) wanted.set(v.name + SEP + k, [v.name, k]);
      if (f.kind === 'interaction') wanted.set(`item_content${SEP}${f.itemId}`, ['item_content', f.itemId]);
    }
    const keys = [...wanted.values()];
    const states = new Map<string, ViewState>();
    for (const r of await this.repo.loadStates(
      q,
      keys.map((k) => k[0]),
      keys.map((k) => k[1]),
    )) {
      states.set(r.view + SEP + r.entity, r.state);
    }
    const ctx: ViewContext = {
      params: this.params,
      categoriesOf: (itemId) =>
        (states.get(`item_content${SEP}${itemId}`) as ItemContentState | undefined)?.categories ?? [],
    };
    const dirty = new Map<string, StateRow>();
    for (const f of facts) {
      for (const v of ONLINE_VIEWS) {
        for (const entity of v.keysOf(f)) {
          const key = v.name + SEP + entity;
          let state = states.get(key);
          if (!state) states.set(key, (state = v.initial()));
          if (v.apply(state, f, ctx)) dirty.set(key, { view: v.name, entity, state });
        }
      }
    }
    await this.repo.saveStates(q, [...dirty.values()]);
    return facts.length;
  }

  /** Drops facts of erased users that the erasure already covered (older stream positions). */
  private async notErased(q: Q, facts: readonly Fact[]): Promise<Fact[]> {
    const userOf = (f: Fact) => (f.kind === 'interaction' || f.kind === 'user' ? f.userId : undefined);
    const hashes = new Map<string, string>();
    for (const f of facts) {
      const u = userOf(f);
      if (u && !hashes.has(u)) hashes.set(u, userHash(u));
    }
    const erased = await this.repo.erasedThrough(q, [...hashes.values()]);
    if (erased.size === 0) return [...facts];
    return facts.filter((f) => {
      const u = userOf(f);
      const through = u ? erased.get(hashes.get(u)!) : undefined;
      return through === undefined || f.seq > through;
    });
  }

  /** Stores the facts' history rows; keeps only facts not stored before (first of in-batch repeats). */
  private async fresh(q: Q, facts: readonly Fact[]): Promise<Fact[]> {
    const keyOf = (f: Fact): string => {
      switch (f.kind) {
        case 'interaction':
          return f.eventId;
        case 'item':
          return `${f.itemId}${SEP}${f.at}`;
        case 'user':
          return `${f.userId}${SEP}${f.at}`;
        case 'stock':
          return `${f.itemId}${SEP}${f.storeId}${SEP}${f.at}`;
      }
    };
    const of = <K extends Fact['kind']>(kind: K) =>
      facts.filter((f): f is Extract<Fact, { kind: K }> => f.kind === kind);
    const stored = new Map<Fact['kind'], Set<string>>([
      ['interaction', await this.repo.insertInteractions(q, of('interaction'))],
      ['item', await this.repo.insertItemVersions(q, of('item'))],
      ['user', await this.repo.insertUserVersions(q, of('user'))],
      ['stock', await this.repo.insertStockObservations(q, of('stock'))],
    ]);
    return facts.filter((f) => {
      const set = stored.get(f.kind)!;
      const key = keyOf(f);
      // Taking the key out keeps a second copy in the same batch from counting twice.
      return set.delete(key);
    });
  }

  /** Basket members not stored before, and the pair supports they add; returns how many members were new. */
  private async cooccurrence(q: Q, facts: readonly InteractionFact[]): Promise<number> {
    const relevant = facts.filter((f) => coKindOf(f) !== undefined);
    if (relevant.length === 0) return 0;
    const wanted = new Map<string, [string, string]>();
    for (const f of relevant) {
      const kind = coKindOf(f)!;
      const basket = basketOf(f);
      wanted.set(basketKey(kind, basket), [kind, basket]);
    }
    const keys = [...wanted.values()];
    const existing = new Map<string, { items: Set<string>; paired: string[] }>();
    for (const m of await this.repo.loadBaskets(
      q,
      keys.map((k) => k[0]),
      keys.map((k) => k[1]),
    )) {
      const key = basketKey(m.kind, m.basket);
      let b = existing.get(key);
      if (!b) existing.set(key, (b = { items: new Set(), paired: [] }));
      b.items.add(m.itemId);
      if (m.paired) b.paired.push(m.itemId);
    }
    const changes = planCooccurrence(relevant, existing);
    await this.repo.insertMembers(q, changes.members);
    await this.repo.addPairs(q, changes.pairs);
    await this.repo.addBasketCounts(q, changes.baskets);
    return changes.members.length;
  }

  /**
   * Deletes everything about a user: their interactions, profile versions and states, and what they
   * contributed to items' statistics (recomputed from what remains, in stream order, so the result equals
   * never having seen them). Later replays skip their older events. Neighbours: eraseNeighbours.
   */
  private async erase(q: Q, e: ErasureFact): Promise<number> {
    const removed = await this.repo.deleteUserInteractions(q, e.userId);
    const items = [...new Set(removed.map((f) => f.itemId))];
    const ctx: ViewContext = { params: this.params, categoriesOf: () => [] };
    const remaining = await this.repo.interactionsOf(q, 'item_id', items);
    const byItem = new Map<string, InteractionFact[]>(items.map((id) => [id, []]));
    for (const f of remaining) byItem.get(f.itemId)!.push(f);
    const keep: StateRow[] = [];
    const drop: string[] = [];
    for (const [id, list] of byItem) {
      if (list.length === 0) drop.push(id);
      else keep.push({ view: itemStatsView.name, entity: id, state: foldFacts(itemStatsView, list, ctx) });
    }
    await this.repo.deleteStates(q, itemStatsView.name, drop);
    await this.repo.saveStates(q, keep);
    await this.repo.deleteStates(q, userActivityView.name, [e.userId]);
    await this.repo.deleteStates(q, userProfileView.name, [e.userId]);
    await this.repo.deleteUserVersions(q, e.userId);
    await this.repo.recordErasure(q, userHash(e.userId), e.seq, e.requestId);
    return 1;
  }

  /** The user's basket memberships and every neighbour pair they contributed, taken back out. */
  private async eraseNeighbours(q: Q, e: ErasureFact): Promise<number> {
    const members: BasketMember[] = await this.repo.basketsOfUser(q, e.userId);
    const taken = retractMembers(members, (m) => m.userId === e.userId);
    await this.repo.addPairs(q, taken.pairs);
    await this.repo.addBasketCounts(q, taken.baskets);
    await this.repo.deleteUserMembers(q, e.userId);
    // Recorded here too: this consumer may reach the erasure before the other one does.
    await this.repo.recordErasure(q, userHash(e.userId), e.seq, e.requestId);
    return 1;
  }
}
