import { DynamicModule, Module } from '@nestjs/common';
import { Env } from '@app/platform/config';
import { PlatformModule } from '@app/platform/platform';
import { IngestionBusConsumer } from './api/ingestion-bus.consumer';
import { IngestionGrpcController } from './api/ingestion.grpc.controller';
import { IngestionHttpController } from './api/ingestion.http.controller';
import { ImportService } from './application/import.service';
import { IngestService } from './application/ingest.service';
import { IngestionStatsService } from './application/ingestion-stats.service';
import { QuarantineService } from './application/quarantine.service';
import { ingestionConfigSchema } from './ingestion.config';
import { EventLogPublisher } from './infra/event-log.publisher';
import { ImportJobRepository } from './infra/import-job.repository';
import { IngestionMetrics } from './infra/ingestion.metrics';
import { ingestionMigrations } from './infra/migrations';
import { QuarantineRepository } from './infra/quarantine.repository';
import { RecordRepository } from './infra/record.repository';

const CORE_PROVIDERS = [
  RecordRepository,
  QuarantineRepository,
  ImportJobRepository,
  EventLogPublisher,
  IngestionMetrics,
  IngestService,
  QuarantineService,
  ImportService,
];

const platform = (env?: Env) =>
  PlatformModule.forRoot({ app: 'ingestion', schema: ingestionConfigSchema, env, migrations: ingestionMigrations });

@Module({})
export class IngestionModule {
  /** `env` replaces process.env (tests); the config is validated once, here. */
  static register(options: { env?: Env } = {}): DynamicModule {
    return {
      module: IngestionModule,
      imports: [platform(options.env)],
      controllers: [IngestionGrpcController, IngestionHttpController],
      providers: [...CORE_PROVIDERS, IngestionStatsService, IngestionBusConsumer],
    };
  }

  /** Without servers or the bus consumer: for the import command, which runs jobs in its own process. */
  static forCommand(options: { env?: Env } = {}): DynamicModule {
    return {
      module: IngestionModule,
      imports: [platform(options.env)],
      providers: CORE_PROVIDERS,
      exports: CORE_PROVIDERS,
    };
  }
}
