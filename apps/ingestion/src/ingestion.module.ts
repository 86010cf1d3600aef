import { DynamicModule, Module } from '@nestjs/common';
import { Env } from '@app/platform/config';
import { PlatformModule } from '@app/platform/platform';
import { ingestionConfigSchema } from './ingestion.config';
import { ingestionMigrations } from './infra/migrations';

@Module({})
export class IngestionModule {
  /** `env` replaces process.env (tests); the config is validated once, here. */
  static register(options: { env?: Env } = {}): DynamicModule {
    return {
      module: IngestionModule,
      imports: [
        PlatformModule.forRoot({
          app: 'ingestion',
          schema: ingestionConfigSchema,
          env: options.env,
          migrations: ingestionMigrations,
        }),
      ],
    };
  }
}
