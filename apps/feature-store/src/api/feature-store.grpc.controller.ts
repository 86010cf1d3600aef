import { Controller } from '@nestjs/common';
import { featureStoreV1 } from '@app/contracts';
import { toTimestamp } from '@app/contracts/grpc';
import { defer, from, map, Observable } from 'rxjs';
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
  optionalTime,
  topMetricFromProto,
  trainingPartToProto,
  typeFromProto,
  userToProto,
} from './feature-store.proto-mapping';

/** gRPC entry points: translate, delegate, translate back. */
@Controller()
@featureStoreV1.FeatureStoreServiceControllerMethods()
export class FeatureStoreGrpcController implements featureStoreV1.FeatureStoreServiceController {
  constructor(
    private readonly online: OnlineFeaturesService,
    private readonly training: TrainingSetService,
    private readonly historicalFeatures: HistoricalFeaturesService,
    private readonly topItems: TopItemsService,
  ) {}

  async getTopItems(r: featureStoreV1.GetTopItemsRequest): Promise<featureStoreV1.GetTopItemsResponse> {
    const top = await this.topItems.top({
      metric: topMetricFromProto(r.metric),
      category: r.category,
      limit: r.limit,
      includeUnavailable: r.includeUnavailable ?? false,
    });
    return { items: top.items, computedAt: toTimestamp(top.computedAt) };
  }

  async getOnlineFeatures(
    r: featureStoreV1.GetOnlineFeaturesRequest,
  ): Promise<featureStoreV1.GetOnlineFeaturesResponse> {
    const read = await this.online.online({ userId: r.userId, itemIds: r.itemIds ?? [], historyLimit: r.historyLimit });
    return {
      user: read.user ? userToProto(read.user) : undefined,
      items: read.items.map(itemToProto),
      readAt: { seconds: Math.floor(read.readAt / 1000), nanos: (read.readAt % 1000) * 1e6 },
    };
  }

  async getUserHistory(r: featureStoreV1.GetUserHistoryRequest): Promise<featureStoreV1.GetUserHistoryResponse> {
    const histories = await this.online.history({
      userIds: r.userIds ?? [],
      sessionIds: r.sessionIds ?? [],
      limit: r.limit,
      types: (r.types ?? []).map((t, i) => typeFromProto(t, `types[${i}]`)),
      since: optionalTime(r.since, 'since'),
    });
    return { histories: histories.map(historyToProto) };
  }

  async getItemNeighbours(
    r: featureStoreV1.GetItemNeighboursRequest,
  ): Promise<featureStoreV1.GetItemNeighboursResponse> {
    const kinds = (r.kinds ?? [])
      .filter((k) => k !== featureStoreV1.NeighbourKind.UNSPECIFIED)
      .map((k, i) => neighbourKindFromProto(k, `kinds[${i}]`));
    const read = await this.online.neighbours({ itemIds: r.itemIds ?? [], kinds, limit: r.limit });
    return { neighbours: read.map(neighboursToProto) };
  }

  streamTrainingSet(r: featureStoreV1.StreamTrainingSetRequest): Observable<featureStoreV1.StreamTrainingSetResponse> {
    return defer(() => {
      const parts = this.training.stream({
        asOf: optionalTime(r.asOf, 'as_of'),
        windowStart: optionalTime(r.windowStart, 'window_start'),
        weights: (r.weights ?? []).map((w, i) => ({
          type: typeFromProto(w.type, `weights[${i}].type`),
          weight: w.weight,
        })),
        includeSessions: r.includeSessions ?? false,
        includeItems: r.includeItems ?? false,
        batchSize: r.batchSize,
        resumeToken: r.resumeToken || undefined,
      });
      return from(parts);
    }).pipe(map(trainingPartToProto));
  }

  async getHistoricalFeatures(
    r: featureStoreV1.GetHistoricalFeaturesRequest,
  ): Promise<featureStoreV1.GetHistoricalFeaturesResponse> {
    const rows = (r.rows ?? []).map((row, i) => ({
      userId: row.userId || undefined,
      itemId: row.itemId || undefined,
      sessionId: row.sessionId || undefined,
      eventTime: optionalTime(row.eventTime, `rows[${i}].event_time`),
    }));
    const out = await this.historicalFeatures.historical(rows, r.features ?? []);
    return { rows: out.map(historicalRowToProto) };
  }

  listFeatureViews(): featureStoreV1.ListFeatureViewsResponse {
    return featureViewsToProto();
  }
}
