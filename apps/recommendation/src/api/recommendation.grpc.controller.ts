import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { recommendationV1 } from '@app/contracts';
import { RecommendService } from '../application/recommend.service';
import { answerToProto, filtersFromProto, itemToProto, sourceToProto } from './recommendation.proto-mapping';

const SERVICE = recommendationV1.RECOMMENDATION_SERVICE_NAME;

/** gRPC entry points of serving (experiments have their own controller): translate, delegate, translate. */
@Controller()
export class RecommendationGrpcController {
  constructor(private readonly recommendations: RecommendService) {}

  @GrpcMethod(SERVICE, 'Recommend')
  async recommend(r: recommendationV1.RecommendRequest): Promise<recommendationV1.RecommendResponse> {
    const a = await this.recommendations.recommend({
      userId: r.userId,
      sessionId: r.sessionId,
      sessionItemIds: r.sessionItemIds ?? [],
      k: r.k,
      filters: filtersFromProto(r.filters),
      placement: r.context?.placement || undefined,
      diversity: r.diversity ?? undefined,
      omitExplanations: r.omitExplanations ?? false,
    });
    return {
      ...answerToProto(a),
      assignment: a.assignment
        ? { experimentId: a.assignment.experimentId, variantId: a.assignment.variantId }
        : undefined,
      modelId: a.modelId ?? '',
    };
  }

  @GrpcMethod(SERVICE, 'SessionRecommend')
  async sessionRecommend(
    r: recommendationV1.SessionRecommendRequest,
  ): Promise<recommendationV1.SessionRecommendResponse> {
    const a = await this.recommendations.session({
      sessionId: r.sessionId,
      sessionItemIds: r.sessionItemIds ?? [],
      k: r.k,
      filters: filtersFromProto(r.filters),
      placement: r.context?.placement || undefined,
      omitExplanations: r.omitExplanations ?? false,
    });
    return answerToProto(a);
  }

  @GrpcMethod(SERVICE, 'SimilarItems')
  async similarItems(r: recommendationV1.SimilarItemsRequest): Promise<recommendationV1.SimilarItemsResponse> {
    const a = await this.recommendations.similar({
      itemId: r.itemId,
      userId: r.userId || undefined,
      k: r.k,
      filters: filtersFromProto(r.filters),
      omitExplanations: r.omitExplanations ?? false,
    });
    return answerToProto(a);
  }

  @GrpcMethod(SERVICE, 'FrequentlyBoughtTogether')
  async frequentlyBoughtTogether(
    r: recommendationV1.FrequentlyBoughtTogetherRequest,
  ): Promise<recommendationV1.FrequentlyBoughtTogetherResponse> {
    const a = await this.recommendations.boughtTogether({
      itemIds: r.itemIds ?? [],
      userId: r.userId || undefined,
      k: r.k,
      filters: filtersFromProto(r.filters),
      omitExplanations: r.omitExplanations ?? false,
    });
    return answerToProto(a);
  }

  @GrpcMethod(SERVICE, 'Popular')
  async popular(r: recommendationV1.PopularRequest): Promise<recommendationV1.PopularResponse> {
    const a = await this.recommendations.top('popularity', {
      category: r.category,
      k: r.k,
      userId: r.userId || undefined,
      filters: filtersFromProto(r.filters),
    });
    return answerToProto(a);
  }

  @GrpcMethod(SERVICE, 'Trending')
  async trending(r: recommendationV1.TrendingRequest): Promise<recommendationV1.TrendingResponse> {
    const a = await this.recommendations.top('trending', {
      category: r.category,
      k: r.k,
      userId: r.userId || undefined,
      filters: filtersFromProto(r.filters),
    });
    return answerToProto(a);
  }

  @GrpcMethod(SERVICE, 'Explain')
  async explain(r: recommendationV1.ExplainRequest): Promise<recommendationV1.ExplainResponse> {
    const e = await this.recommendations.explainItem({
      itemId: r.itemId,
      userId: r.userId || undefined,
      recommendationId: r.recommendationId || undefined,
    });
    const item = itemToProto(e);
    return {
      itemId: e.itemId,
      score: e.score,
      source: sourceToProto(e.source),
      modelId: e.modelId ?? '',
      explanation: item.explanation,
      rank: e.rank,
    };
  }
}
