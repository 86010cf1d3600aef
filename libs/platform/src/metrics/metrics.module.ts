import { Controller, Get, Header, MiddlewareConsumer, Module, NestModule, Res } from '@nestjs/common';
import { APP_NAME } from '../config/config.module';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsRegistry } from './metrics.registry';
import { RequestMetrics } from './request.metrics';

interface TextResponse {
  setHeader(name: string, value: string): void;
  send(body: string): void;
}

/** Prometheus scrape endpoint. */
@Controller('metrics')
export class MetricsHttpController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() res: TextResponse): Promise<void> {
    res.setHeader('Content-Type', this.metrics.contentType);
    res.send(await this.metrics.text());
  }
}

/**
 * The app's registry, GET /metrics, and request metrics for every HTTP route (a middleware on all routes).
 * gRPC calls are counted by grpcServerMetricsInterceptor, which createApp installs on the gRPC server.
 */
@Module({
  controllers: [MetricsHttpController],
  providers: [
    { provide: MetricsRegistry, inject: [APP_NAME], useFactory: (app: string) => new MetricsRegistry(app) },
    RequestMetrics,
    HttpMetricsMiddleware,
  ],
  exports: [MetricsRegistry, RequestMetrics],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}
