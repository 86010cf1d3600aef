import { Controller, Get, Header, Module, Res } from '@nestjs/common';
import { APP_NAME } from '../config/config.module';
import { MetricsRegistry } from './metrics.registry';

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

@Module({
  controllers: [MetricsHttpController],
  providers: [{ provide: MetricsRegistry, inject: [APP_NAME], useFactory: (app: string) => new MetricsRegistry(app) }],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
