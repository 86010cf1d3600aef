import { Inject, Injectable, OnApplicationShutdown, Optional, BeforeApplicationShutdown } from '@nestjs/common';
import { HEALTH_INDICATORS, HealthIndicator } from './health.indicator';

export type CheckStatus = 'up' | 'down';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { status: CheckStatus; error?: string; latencyMs: number }>;
}

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * Liveness says the process works; readiness says its dependencies (database, NATS) answer and it
 * is not shutting down. Both transports (HTTP and grpc.health.v1) read from here.
 */
@Injectable()
export class HealthService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private shuttingDown = false;
  private readonly indicators: HealthIndicator[];

  constructor(
    @Optional() @Inject(HEALTH_INDICATORS.database) database?: HealthIndicator,
    @Optional() @Inject(HEALTH_INDICATORS.messaging) messaging?: HealthIndicator,
  ) {
    this.indicators = [database, messaging].filter((i): i is HealthIndicator => i !== undefined);
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  onApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  async readiness(): Promise<ReadinessReport> {
    const checks: ReadinessReport['checks'] = {};
    await Promise.all(
      this.indicators.map(async (indicator) => {
        const started = performance.now();
        try {
          await withTimeout(indicator.check(), CHECK_TIMEOUT_MS);
          checks[indicator.name] = { status: 'up', latencyMs: Math.round(performance.now() - started) };
        } catch (err) {
          checks[indicator.name] = {
            status: 'down',
            error: (err as Error).message,
            latencyMs: Math.round(performance.now() - started),
          };
        }
      }),
    );
    const ready = !this.shuttingDown && Object.values(checks).every((c) => c.status === 'up');
    return { ready, checks };
  }
}
