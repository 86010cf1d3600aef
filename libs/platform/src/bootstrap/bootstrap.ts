import { DynamicModule, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { MicroserviceOptions } from '@nestjs/microservices';
import { grpcServerOptions } from '@app/contracts/grpc';
import { APP_CONFIG } from '../config/config.module';
import { AppName, PlatformConfig } from '../config/platform.config';
import { AllExceptionsFilter } from '../errors/exception.filter';
import { HealthService } from '../health/health.service';
import { createLogger, JsonLogger, LogLevel } from '../logging/logger';
import { grpcServerMetricsInterceptor } from '../metrics/grpc-metrics.interceptor';
import { RequestMetrics } from '../metrics/request.metrics';
import { Telemetry } from '../telemetry/telemetry';

export interface StartedApp {
  app: NestExpressApplication;
  httpUrl: string;
  grpcUrl: string;
  /** Stops the app the way SIGTERM does: not ready, servers drain, consumers and pools close. */
  close(): Promise<void>;
}

export interface CreateAppOptions {
  name: AppName;
  /** The root module, usually `<Service>Module.register()`. */
  module: Type | DynamicModule;
  /** Quiet logs in tests. */
  logLevel?: LogLevel;
}

/**
 * Creates the hybrid app (HTTP + gRPC on one Nest container), with the platform's logger, error
 * filter for both transports, body-size limit and health, and starts listening.
 */
export async function createApp(options: CreateAppOptions): Promise<StartedApp> {
  const logger = new JsonLogger(
    createLogger(options.name, options.logLevel ?? ((process.env.LOG_LEVEL as LogLevel | undefined) || 'info')),
  );
  const app = await NestFactory.create<NestExpressApplication>(options.module, { logger, bufferLogs: true });
  app.useLogger(logger);
  const config = app.get<PlatformConfig>(APP_CONFIG);
  app.useBodyParser('json', { limit: config.HTTP_BODY_LIMIT });
  // Answers are per request: an ETag would only cost a hash of every body. No framework banner either.
  app.set('etag', false);
  app.disable('x-powered-by');
  // While draining, every answer closes its connection: a keep-alive client cannot hold the server open by
  // sending more requests on it, and reconnects to a replica that is not stopping.
  let draining = false;
  app.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
    if (draining) res.setHeader('Connection', 'close');
    next();
  });
  app.useGlobalFilters(new AllExceptionsFilter());

  const grpcUrl = `${config.BIND_HOST}:${config.GRPC_PORT}`;
  const grpc = grpcServerOptions(options.name, grpcUrl);
  app.connectMicroservice<MicroserviceOptions>(
    {
      ...grpc,
      options: {
        ...grpc.options,
        gracefulShutdown: true,
        // grpc-js server interceptors (the server is built from channelOptions): request metrics per method.
        channelOptions: { interceptors: [grpcServerMetricsInterceptor(app.get(RequestMetrics))] },
        maxReceiveMessageLength: config.GRPC_MAX_MESSAGE_BYTES,
        maxSendMessageLength: config.GRPC_MAX_MESSAGE_BYTES,
      },
    } as MicroserviceOptions,
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(config.HTTP_PORT, config.BIND_HOST);

  const httpAddress = app.getHttpServer().address() as { port: number };
  const started: StartedApp = {
    app,
    httpUrl: `http://127.0.0.1:${httpAddress.port}`,
    grpcUrl: `127.0.0.1:${config.GRPC_PORT}`,
    close: async () => {
      draining = true;
      app.get(HealthService).beforeApplicationShutdown();
      // Idle keep-alive connections would otherwise hold the HTTP server open until they time out.
      (app.getHttpServer() as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      await app.close();
    },
  };
  return started;
}

/**
 * main.ts entry: starts the app, logs where it listens and shuts down gracefully on SIGTERM/SIGINT
 * within SHUTDOWN_TIMEOUT_MS (then exits non-zero rather than hang).
 */
export async function runApp(options: CreateAppOptions & { telemetry: Telemetry }): Promise<void> {
  const log = new Logger('Bootstrap');
  const startedAt = performance.now();
  let started: StartedApp;
  try {
    started = await createApp(options);
  } catch (err) {
    // Config errors already list every bad variable; print them plainly and stop.
    process.stderr.write(`${options.name} failed to start: ${(err as Error).message}\n`);
    await options.telemetry.shutdown().catch(() => undefined);
    process.exit(1);
  }
  const config = started.app.get<PlatformConfig>(APP_CONFIG);
  log.log({
    msg: `${options.name} listening`,
    http: started.httpUrl,
    grpc: started.grpcUrl,
    startupMs: Math.round(performance.now() - startedAt),
    tracing: options.telemetry.exporting ? 'otlp' : 'off',
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log({ msg: 'shutting down', signal });
    const timer = setTimeout(() => {
      process.stderr.write(`${options.name}: shutdown took longer than ${config.SHUTDOWN_TIMEOUT_MS} ms, exiting\n`);
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    try {
      await started.close();
      log.log({ msg: 'stopped; flushing telemetry' });
      await options.telemetry.shutdown();
      process.exit(0);
    } catch (err) {
      process.stderr.write(`${options.name}: error during shutdown: ${(err as Error).stack}\n`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
