import { DynamicModule, Module } from '@nestjs/common';
import { Env } from '@app/platform/config';
import { PlatformModule } from '@app/platform/platform';
import { featureStoreConfigSchema } from './feature-store.config';
import { featureStoreMigrations } from './infra/migrations';

@Module({})
export class FeatureStoreModule {
  /** `env` replaces process.env (tests); the config is validated once, here. */
  static register(options: { env?: Env } = {}): DynamicModule {
    return {
      module: FeatureStoreModule,
      imports: [
        PlatformModule.forRoot({
          app: 'feature-store',
          schema: featureStoreConfigSchema,
          env: options.env,
          migrations: featureStoreMigrations,
        }),
      ],
    };
  }
}
