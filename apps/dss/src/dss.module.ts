import { DynamicModule, Module } from '@nestjs/common';
import { Env } from '@app/platform/config';
import { MetricsRegistry } from '@app/platform/metrics';
import { PlatformModule } from '@app/platform/platform';
import { DataSource } from 'typeorm';
import { DssEventsConsumer } from './api/dss-events.consumer';
import { DssGrpcController } from './api/dss.grpc.controller';
import { DssHttpController } from './api/dss.http.controller';
import { DemandIngestService } from './application/demand-ingest.service';
import { ForecastService } from './application/forecast.service';
import { ReportService } from './application/report.service';
import { RuleService } from './application/rule.service';
import { SuggestionComputationService } from './application/suggestion-computation.service';
import { SuggestionDecisionService } from './application/suggestion-decision.service';
import { SupplyParametersService } from './application/supply-parameters.service';
import { dssConfigSchema } from './dss.config';
import { Clock } from './infra/clock';
import { ComputationRepository } from './infra/computation.repository';
import { DemandRepository } from './infra/demand.repository';
import { DssMetrics } from './infra/dss.metrics';
import { ForecastRepository } from './infra/forecast.repository';
import { dssMigrations } from './infra/migrations';
import { ReportRepository } from './infra/report.repository';
import { RuleRepository } from './infra/rule.repository';
import { SuggestionRepository } from './infra/suggestion.repository';
import { SupplyParametersRepository } from './infra/supply-parameters.repository';

@Module({})
export class DssModule {
  /** `env` replaces process.env (tests); the config is validated once, here. */
  static register(options: { env?: Env } = {}): DynamicModule {
    return {
      module: DssModule,
      imports: [
        PlatformModule.forRoot({
          app: 'dss',
          schema: dssConfigSchema,
          env: options.env,
          migrations: dssMigrations,
        }),
      ],
      controllers: [DssGrpcController, DssHttpController],
      providers: [
        Clock,
        DemandRepository,
        SupplyParametersRepository,
        RuleRepository,
        SuggestionRepository,
        ForecastRepository,
        ComputationRepository,
        ReportRepository,
        DemandIngestService,
        SuggestionDecisionService,
        RuleService,
        SupplyParametersService,
        ForecastService,
        SuggestionComputationService,
        ReportService,
        DssEventsConsumer,
        {
          provide: DssMetrics,
          inject: [MetricsRegistry, DataSource],
          useFactory: (metrics: MetricsRegistry, dataSource: DataSource) => new DssMetrics(metrics).watch(dataSource),
        },
      ],
    };
  }
}
