import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform/config';
import { IngestionConfig } from '../ingestion.config';
import { EventLogPublisher, PublishLag } from '../infra/event-log.publisher';
import { IngestionMetrics, IngestionTotals } from '../infra/ingestion.metrics';

export interface IngestionStats {
  /** Since this process started. */
  totals: IngestionTotals;
  /** Records received per second over the last stats interval (or since start). */
  recordsPerSecond: number;
  publishLag: PublishLag;
}

/** Counts, throughput and publish lag: served at /v1/ingestion/stats, exported to Prometheus, logged periodically. */
@Injectable()
export class IngestionStatsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IngestionStats');
  private timer?: NodeJS.Timeout;
  private last = { at: Date.now(), received: 0 };

  constructor(
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
    private readonly metrics: IngestionMetrics,
    private readonly publisher: EventLogPublisher,
  ) {}

  onApplicationBootstrap(): void {
    this.metrics.watchLag(() => this.publisher.lag());
    const seconds = this.config.INGESTION_STATS_LOG_INTERVAL_SECONDS;
    if (seconds > 0) {
      this.timer = setInterval(() => void this.log(), seconds * 1000);
      this.timer.unref();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async snapshot(): Promise<IngestionStats> {
    const now = Date.now();
    const totals = { ...this.metrics.totals };
    const rate = (totals.received - this.last.received) / Math.max((now - this.last.at) / 1000, 0.001);
    return { totals, recordsPerSecond: Math.round(rate), publishLag: await this.publisher.lag() };
  }

  private async log(): Promise<void> {
    try {
      const stats = await this.snapshot();
      this.last = { at: Date.now(), received: stats.totals.received };
      this.logger.log({ msg: 'ingestion stats', ...stats });
    } catch (err) {
      this.logger.warn(`stats unavailable: ${(err as Error).message}`);
    }
  }
}
