import { DynamicModule, Module } from '@nestjs/common';
import { Env } from '@app/platform/config';
import { PlatformModule } from '@app/platform/platform';
import { recommendationConfigSchema } from './recommendation.config';
import { recommendationMigrations } from './infra/migrations';

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
      ],
    };
  }
}
