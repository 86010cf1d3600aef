import { DynamicModule, Global, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntitySchema, MigrationInterface } from 'typeorm';
import { APP_CONFIG, APP_NAME } from '../config/config.module';
import { PlatformConfig } from '../config/platform.config';
import { HealthIndicator, HEALTH_INDICATORS } from '../health/health.indicator';
import { openDataSource, runMigrations } from './data-source.factory';

type EntityTarget = Function | EntitySchema; // eslint-disable-line @typescript-eslint/no-unsafe-function-type

export interface DatabaseModuleOptions {
  entities: EntityTarget[];
  migrations: (new () => MigrationInterface)[];
}

/** Readiness: the app's database answers a trivial query. */
@Injectable()
export class DatabaseHealthIndicator implements HealthIndicator {
  readonly name = 'database';
  constructor(private readonly dataSource: DataSource) {}

  async check(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}

@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * The app's own PostgreSQL database: opened (and created if missing, in dev and test),
 * migrated at start-up when DATABASE_MIGRATIONS_RUN is on, closed on shutdown.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          inject: [APP_CONFIG, APP_NAME],
          useFactory: async (config: PlatformConfig, app: string) => {
            const dataSource = await openDataSource({
              url: config.DATABASE_URL,
              applicationName: app,
              entities: options.entities,
              migrations: options.migrations,
              poolSize: config.DATABASE_POOL_SIZE,
              createIfMissing: config.DATABASE_CREATE_IF_MISSING && config.NODE_ENV !== 'production',
              nodeEnv: config.NODE_ENV,
            });
            if (config.DATABASE_MIGRATIONS_RUN) {
              const applied = await runMigrations(dataSource);
              if (applied.length > 0) new Logger('Database').log({ msg: 'migrations applied', applied });
            }
            return dataSource;
          },
        },
        DatabaseHealthIndicator,
        DatabaseLifecycle,
        { provide: HEALTH_INDICATORS.database, useExisting: DatabaseHealthIndicator },
      ],
      exports: [DataSource, HEALTH_INDICATORS.database],
    };
  }
}
