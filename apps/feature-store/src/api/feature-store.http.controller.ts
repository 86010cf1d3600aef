import { Body, Controller, Get, Header, Post, Query, Res } from '@nestjs/common';
import { ValidationError } from '@app/platform/errors';
import type { Response } from 'express';
import { HistoricalFeaturesService } from '../application/historical-features.service';
import { OnlineFeaturesService } from '../application/online-features.service';
import { TopItemsService } from '../application/top-items.service';
import { TrainingSetService } from '../application/training-set.service';
import {
  featureViewsToProto,
  historicalRowToProto,
  historyToProto,
  itemToProto,
  neighbourKindFromProto,
  neighboursToProto,
  topMetricFromProto,
  trainingPartToProto,
  typeFromProto,
  userToProto,
} from './feature-store.proto-mapping';

/** `a,b,c` → ['a','b','c'] (also repeated parameters). */
function list(v: string | string[] | undefined): string[] {
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return all
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

function int(v: string | undefined, field: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ValidationError([{ field, message: 'must be an integer' }]);
  return n;
}

function time(v: string | undefined, field: string): Date | undefined {
  if (v === undefined || v === '') return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new ValidationError([{ field, message: 'must be an ISO-8601 time' }]);
  return d;
}

function flag(v: string | undefined): boolean {
  return v === 'true' || v === '1';
}

/** Timestamps as ISO strings and enums as their short names: what a person debugging wants to read. */
export function readable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(readable);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length <= 2 && typeof o.seconds === 'number' && keys.every((k) => k === 'seconds' || k === 'nanos')) {
      return new Date(o.seconds * 1000 + Math.round(((o.nanos as number) ?? 0) / 1e6)).toISOString();
    }
    return Object.fromEntries(keys.filter((k) => o[k] !== undefined && o[k] !== null).map((k) => [k, readable(o[k])]));
  }
  if (typeof value === 'string') {
    const m = /^(INTERACTION_TYPE|CONSENT_STATE|STOCK_STATUS|NEIGHBOUR_KIND|ENTITY_KIND|FEATURE_VALUE_TYPE)_(.+)$/.exec(
      value,
    );
    if (m) return m[2].toLowerCase();
  }
  return value;
}

/** REST mirrors of the gRPC API, for debugging and for callers without gRPC. */
@Controller('v1')
export class FeatureStoreHttpController {
  constructor(
    private readonly online: OnlineFeaturesService,
    private readonly training: TrainingSetService,
    private readonly historicalFeatures: HistoricalFeaturesService,
    private readonly topItems: TopItemsService,
  ) {}

  @Get('top-items')
  async top(@Query() q: Record<string, string | undefined>) {
    const top = await this.topItems.top({
      metric: topMetricFromProto(q.metric),
      category: q.category,
      limit: int(q.limit, 'limit'),
      includeUnavailable: flag(q.includeUnavailable),
    });
    return { items: top.items, computedAt: new Date(top.computedAt).toISOString() };
  }

  @Get('features/online')
  async onlineFeatures(@Query() q: Record<string, string | undefined>) {
    const read = await this.online.online({
      userId: q.userId,
      itemIds: list(q.itemIds),
      historyLimit: int(q.historyLimit, 'historyLimit'),
    });
    return readable({
      user: read.user ? userToProto(read.user) : undefined,
      items: read.items.map(itemToProto),
      readAt: new Date(read.readAt).toISOString(),
    });
  }

  @Get('history')
  async history(@Query() q: Record<string, string | undefined>) {
    const histories = await this.online.history({
      userIds: list(q.userIds),
      sessionIds: list(q.sessionIds),
      limit: int(q.limit, 'limit'),
      types: list(q.types).map((t, i) => typeFromProto(t, `types[${i}]`)),
      since: time(q.since, 'since'),
    });
    return readable({ histories: histories.map(historyToProto) });
  }

  @Get('neighbours')
  async neighbours(@Query() q: Record<string, string | undefined>) {
    const read = await this.online.neighbours({
      itemIds: list(q.itemIds),
      kinds: list(q.kinds).map((k, i) => neighbourKindFromProto(k.toUpperCase(), `kinds[${i}]`)),
      limit: int(q.limit, 'limit'),
    });
    return readable({ neighbours: read.map(neighboursToProto) });
  }

  @Post('features/historical')
  async historical(
    @Body()
    body: {
      rows?: { userId?: string; itemId?: string; sessionId?: string; eventTime?: string }[];
      features?: string[];
    },
  ) {
    if (!Array.isArray(body?.rows)) throw new ValidationError([{ field: 'rows', message: 'must be an array' }]);
    if (!Array.isArray(body?.features)) throw new ValidationError([{ field: 'features', message: 'must be an array' }]);
    const rows = body.rows.map((r, i) => ({
      userId: r?.userId,
      itemId: r?.itemId,
      sessionId: r?.sessionId,
      eventTime: time(r?.eventTime, `rows[${i}].eventTime`),
    }));
    const out = await this.historicalFeatures.historical(rows, body.features);
    return readable({ rows: out.map(historicalRowToProto) });
  }

  @Get('feature-views')
  featureViews() {
    return readable(featureViewsToProto());
  }

  /** The training set as NDJSON: one line per message (header, batches, items, trailer). */
  @Get('training-set')
  @Header('content-type', 'application/x-ndjson')
  async trainingSet(@Query() q: Record<string, string | undefined>, @Res() res: Response): Promise<void> {
    const weights = list(q.weights).map((pair, i) => {
      const [type, weight] = pair.split(':');
      return { type: typeFromProto(type, `weights[${i}]`), weight: weight === undefined ? 1 : Number(weight) };
    });
    const parts = this.training.stream({
      asOf: time(q.asOf, 'asOf'),
      windowStart: time(q.windowStart, 'windowStart'),
      weights,
      includeSessions: flag(q.includeSessions),
      includeItems: flag(q.includeItems),
      batchSize: int(q.batchSize, 'batchSize'),
      resumeToken: q.resumeToken || undefined,
    });
    // The first part is awaited before anything is written, so a bad request still gets a clean 400.
    const first = await parts.next();
    res.status(200);
    if (!first.done) res.write(JSON.stringify(readable(trainingPartToProto(first.value))) + '\n');
    for await (const part of parts) {
      if (!res.write(JSON.stringify(readable(trainingPartToProto(part))) + '\n')) {
        await new Promise((resolve) => res.once('drain', resolve));
      }
    }
    res.end();
  }
}
