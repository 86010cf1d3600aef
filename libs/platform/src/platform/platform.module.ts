import { DynamicModule, Injectable, Module, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { STREAMS } from '@app/contracts/events';
import { DataSource, EntitySchema, MigrationInterface } from 'typeorm';
import { OutboxRelay } from '../messaging/outbox';
import { z } from 'zod';
import { APP_CONFIG, ConfigModule } from '../config/config.module';
import { Env } from '../config/config.loader';
import { AppName, PlatformConfig } from '../config/platform.config';
import { DatabaseModule } from '../database/database.module';
import { HealthModule } from '../health/health.module';
import { HEALTH_INDICATORS, HealthIndicator } from '../health/health.indicator';
import { JetStreamClient } from '../messaging/jetstream.client';
import { MessagingModule, nestMessagingLogger } from '../messaging/messaging.module';
import { StreamDefinition } from '../messaging/messaging.types';
import { PlatformInbox1763700000000 } from '../messaging/inbox';
import { PlatformOutbox1763700000001 } from '../messaging/outbox';
import { CircuitBreakers, ResilienceModule } from '../resilience/resilience.module';
import { MetricsModule } from '../metrics/metrics.module';
import { MetricsRegistry } from '../metrics/metrics.registry';
import { BreakerMetrics } from '../metrics/breaker.metrics';
import { MessagingMetrics } from '../metrics/messaging.metrics';
import { OutboxMetrics, PLATFORM_OUTBOX, platformOutboxBacklog } from '../metrics/outbox.metrics';

type EntityTarget = Function | EntitySchema; // eslint-disable-line @typescript-eslint/no-unsafe-function-type
type MigrationClass = new () => MigrationInterface;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The streams of the event catalogue, as provisioning definitions. Every app ensures all of them. */
export const STREAM_DEFINITIONS: StreamDefinition[] = Object.entries(STREAMS).map(([name, s]) => ({
  name,
  subjects: [...s.subjects],
  duplicateWindowMs: s.duplicateWindowMinutes * 60 * 1000,
  maxAgeMs: s.maxAgeDays * DAY_MS,
  storage: 'file',
  retention: 'limits',
}));

/** Migrations every app gets ahead of its own: the consumers' inbox and the producers' outbox. */
export const PLATFORM_MIGRATIONS: MigrationClass[] = [PlatformInbox1763700000000, PlatformOutbox1763700000001];

export interface PlatformModuleOptions<S extends z.ZodObject> {
  app: AppName;
  schema: S;
  /** Tests inject a literal environment; production reads process.env. */
  env?: Env;
  entities?: EntityTarget[];
  /** The app's own migrations; the platform's come first. */
  migrations?: MigrationClass[];
}

/** The app's outbox relay: starts with the app, stops (after its batch in flight) before shutdown. */
@Injectable()
export class OutboxPublisher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly relay: OutboxRelay;

  constructor(dataSource: DataSource, client: JetStreamClient) {
    this.relay = new OutboxRelay(dataSource, client, { logger: nestMessagingLogger('Outbox') });
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }

  /** Call after committing a transaction that enqueued messages, to publish without waiting for the poll. */
  nudge(): void {
    this.relay.nudge();
  }
}

/**
 * Everything an app needs from the platform, wired the same way in every app: validated config,
 * its own database (migrated), JetStream, health on both transports, circuit breakers, and Prometheus
 * metrics of requests, consumers, breakers and the outbox.
 */
@Module({})
export class PlatformModule {
  static forRoot<S extends z.ZodObject>(options: PlatformModuleOptions<S>): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [
        ConfigModule.forRoot({ app: options.app, schema: options.schema, env: options.env }),
        DatabaseModule.forRoot({
          entities: options.entities ?? [],
          migrations: [...PLATFORM_MIGRATIONS, ...(options.migrations ?? [])],
        }),
        MessagingModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: PlatformConfig) => ({
            url: config.NATS_URL,
            namespace: config.NATS_NAMESPACE,
            name: options.app,
            streams: STREAM_DEFINITIONS,
            shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
          }),
        }),
        ResilienceModule,
        HealthModule,
        MetricsModule,
      ],
      providers: [
        OutboxPublisher,
        {
          provide: MessagingMetrics,
          inject: [MetricsRegistry, JetStreamClient],
          useFactory: (metrics: MetricsRegistry, client: JetStreamClient) =>
            new MessagingMetrics(metrics).watch(client),
        },
        {
          provide: BreakerMetrics,
          inject: [MetricsRegistry, CircuitBreakers],
          useFactory: (metrics: MetricsRegistry, breakers: CircuitBreakers) =>
            new BreakerMetrics(metrics).watch(breakers),
        },
        {
          provide: OutboxMetrics,
          inject: [MetricsRegistry, DataSource],
          useFactory: (metrics: MetricsRegistry, dataSource: DataSource) =>
            new OutboxMetrics(metrics).watch(PLATFORM_OUTBOX, platformOutboxBacklog(dataSource)),
        },
        {
          provide: HEALTH_INDICATORS.messaging,
          inject: [JetStreamClient],
          useFactory: (client: JetStreamClient): HealthIndicator => ({
            name: 'messaging',
            check: async () => {
              await client.ping();
            },
          }),
        },
      ],
      exports: [HEALTH_INDICATORS.messaging, OutboxPublisher, MetricsModule, OutboxMetrics],
    };
  }
}
