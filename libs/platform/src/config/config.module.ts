import { DynamicModule, Global, Module } from '@nestjs/common';
import { z } from 'zod';
import { Env, loadConfig } from './config.loader';
import { AppName, PlatformConfig } from './platform.config';

/** Injection token for the app's typed config object. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Injection token for the app's name (used by telemetry, logs and health). */
export const APP_NAME = Symbol('APP_NAME');

export interface ConfigModuleOptions<S extends z.ZodObject> {
  app: AppName;
  schema: S;
  /** Tests pass a literal env or a ready-made config object instead of process.env. */
  env?: Env;
  config?: z.infer<S>;
}

/**
 * Reads and validates the configuration once, at module construction, and offers it to every
 * provider as `@Inject(APP_CONFIG)`.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot<S extends z.ZodObject>(options: ConfigModuleOptions<S>): DynamicModule {
    const config = options.config ?? loadConfig(options.app, options.schema, options.env);
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: Object.freeze(config) },
        { provide: APP_NAME, useValue: options.app },
      ],
      exports: [APP_CONFIG, APP_NAME],
    };
  }
}

/** Shorthand for the platform part every app config has. */
export type WithPlatform<T = object> = PlatformConfig & T;
