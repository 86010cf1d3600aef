import { DynamicModule, Module } from '@nestjs/common';
import { Env } from '@app/platform/config';
import { PlatformModule } from '@app/platform/platform';
import { FeatureEventsConsumer } from './api/feature-events.consumer';
import { FeatureStoreGrpcController } from './api/feature-store.grpc.controller';
import { FeatureStoreHttpController } from './api/feature-store.http.controller';
import { FeatureApplier } from './application/feature-applier.service';
import { HistoricalFeaturesService } from './application/historical-features.service';
import { OnlineFeaturesService } from './application/online-features.service';
import { TopItemsService } from './application/top-items.service';
import { TrainingSetService } from './application/training-set.service';
import { featureStoreConfigSchema } from './feature-store.config';
import { Clock } from './infra/clock';
import { FeatureStoreMetrics } from './infra/feature-store.metrics';
import { FeatureRepository } from './infra/feature.repository';
import { featureStoreMigrations } from './infra/migrations';

const CORE_PROVIDERS = [
  Clock,
  FeatureRepository,
  FeatureStoreMetrics,
  FeatureApplier,
  OnlineFeaturesService,
  TrainingSetService,
  HistoricalFeaturesService,
  TopItemsService,
  FeatureEventsConsumer,
];

const platform = (env?: Env) =>
  PlatformModule.forRoot({
    app: 'feature-store',
    schema: featureStoreConfigSchema,
    env,
    migrations: featureStoreMigrations,
  });

@Module({})
export class FeatureStoreModule {
  /** `env` replaces process.env (tests); the config is validated once, here. */
  static register(options: { env?: Env } = {}): DynamicModule {
    return {
      module: FeatureStoreModule,
      imports: [platform(options.env)],
      controllers: [FeatureStoreGrpcController, FeatureStoreHttpController],
      providers: CORE_PROVIDERS,
    };
  }

  /** Without servers, for the rebuild command (which applies the stream itself, so keep the consumer off). */
  static forCommand(options: { env?: Env } = {}): DynamicModule {
    return {
      module: FeatureStoreModule,
      imports: [platform({ ...(options.env ?? process.env), FEATURE_STORE_CONSUMER_ENABLED: 'false' })],
      providers: CORE_PROVIDERS,
      exports: CORE_PROVIDERS,
    };
  }
}
