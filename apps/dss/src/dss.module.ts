import { DynamicModule, Module } from '@nestjs/common';
import { Env } from '@app/platform/config';
import { PlatformModule } from '@app/platform/platform';
import { dssConfigSchema } from './dss.config';
import { dssMigrations } from './infra/migrations';

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
    };
  }
}
