import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OnApplicationShutdown,
  type OptionalFactoryDependency,
} from '@nestjs/common';
import { JetStreamClient, type JetStreamClientOptions } from './jetstream.client';
import type { MessagingLogger } from './messaging.types';

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingModuleOptions extends JetStreamClientOptions {
  /** Upper bound for the graceful close at application shutdown. Default 10 s. */
  readonly shutdownTimeoutMs?: number;
}

export interface MessagingModuleAsyncOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: (InjectionToken | OptionalFactoryDependency)[];
  readonly useFactory: (...args: never[]) => MessagingModuleOptions | Promise<MessagingModuleOptions>;
  /** Register the client for the whole application. Default true. */
  readonly isGlobal?: boolean;
}

/** Messaging logs through Nest; structured fields go through as an object, so the JSON logger keeps them as fields. */
export function nestMessagingLogger(context = 'Messaging'): MessagingLogger {
  const logger = new Logger(context);
  return {
    info: (msg, fields) => logger.log({ msg, ...fields }),
    warn: (msg, fields) => logger.warn({ msg, ...fields }),
    error: (msg, fields) => logger.error({ msg, ...fields }),
  };
}

/** Closes the client when Nest shuts down (SIGTERM with enableShutdownHooks, or app.close()). */
@Injectable()
export class MessagingShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(JetStreamClient) private readonly client: JetStreamClient,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingModuleOptions,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close(this.options.shutdownTimeoutMs);
  }
}

/**
 * Provides a connected JetStreamClient: the async factory connects and provisions the streams
 * before anything that injects it starts, so apps call `consume` from their own onModuleInit.
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return MessagingModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: MessagingModuleAsyncOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: options.isGlobal ?? true,
      imports: options.imports ?? [],
      providers: [
        { provide: MESSAGING_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: JetStreamClient,
          useFactory: (o: MessagingModuleOptions) =>
            JetStreamClient.connect({ ...o, logger: o.logger ?? nestMessagingLogger() }),
          inject: [MESSAGING_OPTIONS],
        },
        MessagingShutdown,
      ],
      exports: [JetStreamClient],
    };
  }
}
