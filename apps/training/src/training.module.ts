import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, Env } from '@app/platform/config';
import { PlatformModule } from '@app/platform/platform';
import { DataSource } from 'typeorm';
import { NewEventsConsumer } from './api/new-events.consumer';
import { TrainingGrpcController } from './api/training.grpc.controller';
import { TrainingHttpController } from './api/training.http.controller';
import { ModelRegistryService } from './application/model-registry.service';
import { RunExecutor } from './application/run.executor';
import { TRAINING_RUN_HOOKS, TrainingRunHooks } from './application/training-run.hooks';
import { TrainingRunService } from './application/training-run.service';
import { TRAINING_SET_SOURCE } from './application/training-set.source';
import { ARTIFACT_STORE, ArtifactStore } from './infra/artifact.store';
import { CheckpointRepository } from './infra/checkpoint.repository';
import { Clock } from './infra/clock';
import { DatabaseArtifactStore } from './infra/database.artifact-store';
import { FeatureStoreTrainingSetSource } from './infra/feature-store.training-set';
import { FilesystemArtifactStore } from './infra/filesystem.artifact-store';
import { trainingMigrations } from './infra/migrations';
import { ModelRepository } from './infra/model.repository';
import { RunRepository } from './infra/run.repository';
import { TrainingMetrics } from './infra/training.metrics';
import { TrainingConfig, trainingConfigSchema } from './training.config';

export interface TrainingModuleOptions {
  /** Replaces process.env (tests); the config is validated once, here. */
  env?: Env;
  /** Observation points of the run pipeline (tests). */
  hooks?: TrainingRunHooks;
}

@Module({})
export class TrainingModule {
  static register(options: TrainingModuleOptions = {}): DynamicModule {
    return {
      module: TrainingModule,
      imports: [
        PlatformModule.forRoot({
          app: 'training',
          schema: trainingConfigSchema,
          env: options.env,
          migrations: trainingMigrations,
        }),
      ],
      controllers: [TrainingGrpcController, TrainingHttpController],
      providers: [
        Clock,
        TrainingMetrics,
        RunRepository,
        CheckpointRepository,
        ModelRepository,
        {
          provide: ARTIFACT_STORE,
          inject: [APP_CONFIG, DataSource],
          useFactory: (config: TrainingConfig, dataSource: DataSource): ArtifactStore =>
            config.TRAINING_ARTIFACT_STORE === 'filesystem'
              ? new FilesystemArtifactStore(config.TRAINING_ARTIFACT_DIR)
              : new DatabaseArtifactStore(dataSource),
        },
        { provide: TRAINING_SET_SOURCE, useClass: FeatureStoreTrainingSetSource },
        { provide: TRAINING_RUN_HOOKS, useValue: options.hooks ?? {} },
        ModelRegistryService,
        RunExecutor,
        TrainingRunService,
        NewEventsConsumer,
      ],
    };
  }
}
