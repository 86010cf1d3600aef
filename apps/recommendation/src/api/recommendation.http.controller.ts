import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { recommendationV1 } from '@app/contracts';
import { ValidationError } from '@app/platform/errors';
import { RecommendationGrpcController } from './recommendation.grpc.controller';

type Json = Record<string, unknown>;

function body<T>(b: unknown): T {
  if (!b || typeof b !== 'object' || Array.isArray(b)) {
    throw new ValidationError([{ field: 'body', message: 'must be a JSON object' }]);
  }
  return b as T;
}

function int(v: string | undefined, field: string): number {
  if (v === undefined || v === '') return 0;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ValidationError([{ field, message: 'must be an integer' }]);
  return n;
}

const ENUM_PREFIX = /^(RECOMMENDATION_SOURCE|EXPLANATION_KIND)_/;

/** Enums as short lower-case names, empty strings and lists dropped: what a storefront developer reads. */
export function readable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(readable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Json)
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([k, v]) => [k, readable(v)]),
    );
  }
  if (typeof value === 'string' && ENUM_PREFIX.test(value)) return value.replace(ENUM_PREFIX, '').toLowerCase();
  return value;
}

/**
 * REST mirrors of serving: the request bodies are the gRPC messages as JSON (camelCase), the answers
 * the same as gRPC's with enums as short names.
 */
@Controller('v1')
export class RecommendationHttpController {
  constructor(private readonly grpc: RecommendationGrpcController) {}

  @Post('recommendations')
  @HttpCode(200)
  async recommend(@Body() b: unknown) {
    return readable(await this.grpc.recommend(body<recommendationV1.RecommendRequest>(b)));
  }

  @Post('session-recommendations')
  @HttpCode(200)
  async session(@Body() b: unknown) {
    return readable(await this.grpc.sessionRecommend(body<recommendationV1.SessionRecommendRequest>(b)));
  }

  @Post('similar-items')
  @HttpCode(200)
  async similarPost(@Body() b: unknown) {
    return readable(await this.grpc.similarItems(body<recommendationV1.SimilarItemsRequest>(b)));
  }

  @Get('items/:itemId/similar')
  async similar(@Param('itemId') itemId: string, @Query() q: Record<string, string | undefined>) {
    return readable(
      await this.grpc.similarItems({
        itemId,
        userId: q.userId ?? '',
        k: int(q.k, 'k'),
        filters: undefined,
        omitExplanations: false,
      }),
    );
  }

  @Post('bought-together')
  @HttpCode(200)
  async boughtTogether(@Body() b: unknown) {
    return readable(
      await this.grpc.frequentlyBoughtTogether(body<recommendationV1.FrequentlyBoughtTogetherRequest>(b)),
    );
  }

  @Get('popular')
  async popular(@Query() q: Record<string, string | undefined>) {
    return readable(await this.grpc.popular({ category: q.category ?? '', k: int(q.k, 'k'), userId: q.userId ?? '' }));
  }

  @Get('trending')
  async trending(@Query() q: Record<string, string | undefined>) {
    return readable(await this.grpc.trending({ category: q.category ?? '', k: int(q.k, 'k'), userId: q.userId ?? '' }));
  }

  @Get('explain')
  async explain(@Query() q: Record<string, string | undefined>) {
    return readable(
      await this.grpc.explain({
        itemId: q.itemId ?? '',
        userId: q.userId ?? '',
        recommendationId: q.recommendationId ?? '',
      }),
    );
  }
}
