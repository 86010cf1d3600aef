import { DynamicModule, Module } from '@nestjs/common';
import { Env } from '@app/platform/config';
import { PlatformModule } from '@app/platform/platform';
import { trainingConfigSchema } from './training.config';
import { trainingMigrations } from './infra/migrations';

@Module({})
export class TrainingModule {
  /** `env` replaces process.env (tests); the config is validated once, here. */
  static register(options: { env?: Env } = {}): DynamicModule {
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
    };
  }
}
