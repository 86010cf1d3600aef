import { DynamicModule, Module } from '@nestjs/common';
import { Env } from '@app/platform/config';
import { PlatformModule } from '@app/platform/platform';
import { InteractionEventsSubscriber } from './api/interaction-events.subscriber';
import { RecommendationGrpcController } from './api/recommendation.grpc.controller';
import { RecommendationHttpController } from './api/recommendation.http.controller';
import { DriftMonitor } from './application/drift.monitor';
import { RecommendService } from './application/recommend.service';
import { ExperimentsModule } from './experiments.module';
import { FeatureStoreClient } from './infra/feature-store.client';
import { recommendationMigrations } from './infra/migrations';
import { ServingMetrics } from './infra/serving.metrics';
import { ModelsModule } from './models.module';
import { recommendationConfigSchema } from './recommendation.config';

@Module({})
export class RecommendationModule {
  /** `env` replaces process.env (tests); the config is validated once, here. */
  static register(options: { env?: Env } = {}): DynamicModule {
    return {
      module: RecommendationModule,
      imports: [
        PlatformModule.forRoot({
          app: 'recommendation',
          schema: recommendationConfigSchema,
          env: options.env,
          migrations: recommendationMigrations,
        }),
        ModelsModule,
        ExperimentsModule,
      ],
      controllers: [RecommendationGrpcController, RecommendationHttpController],
      providers: [
        FeatureStoreClient,
        RecommendService,
        RecommendationGrpcController,
        InteractionEventsSubscriber,
        ServingMetrics,
        DriftMonitor,
      ],
    };
  }
}
