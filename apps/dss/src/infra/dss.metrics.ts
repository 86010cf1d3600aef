import { Injectable } from '@nestjs/common';
import { cachedRead, MetricsRegistry } from '@app/platform/metrics';
import type { DataSource } from 'typeorm';

/** A computation takes from well under a second (one store, tests) to about an hour (every SKU of a chain). */
const COMPUTATION_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 15, 30, 60, 300, 900, 1_800, 3_600];

type Outcome = 'succeeded' | 'failed';

interface FinishedRow {
  state: Outcome;
  done: string;
  failed_count: string;
  seconds: number;
  finished_at: Date;
}

/**
 * Computations of forecasts and suggestions, for Prometheus: how many ended and how (counter), how long they
 * took (histogram), how many SKU × store pairs they went through (counter: `rate()` is the throughput), and
 * what is queued or running now. Read from the computation table when scraped (at most once a second): every
 * computation this process finishes is written there, so nothing on the computation path has to report.
 */
@Injectable()
export class DssMetrics {
  private readonly computations;
  private readonly seconds;
  private readonly pairs;
  private readonly failedPairs;
  private poll: () => Promise<unknown> = () => Promise.resolve(undefined);
  private current = { pending: 0, running: 0, pairsPerSecond: 0 };

  constructor(metrics: MetricsRegistry) {
    const sync = () => this.poll();
    this.computations = metrics.counter(
      'dss_computations_total',
      'Computations that ended, by outcome',
      ['outcome'],
      async () => void (await sync()),
    );
    this.seconds = metrics.histogram(
      'dss_computation_duration_seconds',
      'Wall time of one computation, from start to end',
      ['outcome'],
      COMPUTATION_BUCKETS,
      async () => void (await sync()),
    );
    this.pairs = metrics.counter(
      'dss_computation_pairs_total',
      'SKU × store pairs computations went through (rate = throughput)',
      ['outcome'],
      async () => void (await sync()),
    );
    this.failedPairs = metrics.counter(
      'dss_computation_failed_pairs_total',
      'SKU × store pairs that could not be computed (the run went on without them)',
      [],
      async () => void (await sync()),
    );
    const current = () => this.current;
    metrics.gauge('dss_computations_in_progress', 'Computations queued or running now', ['state'], async function () {
      await sync();
      this.set({ state: 'pending' }, current().pending);
      this.set({ state: 'running' }, current().running);
    });
    metrics.gauge(
      'dss_computation_running_pairs_per_second',
      'Throughput of the computation running now (0 when none runs)',
      [],
      async function () {
        await sync();
        this.set(current().pairsPerSecond);
      },
    );
  }

  /** Reads the computation table from now on; computations that finish after this call are counted. */
  watch(dataSource: DataSource): this {
    let since = new Date();
    this.poll = cachedRead(async () => {
      const finished: FinishedRow[] = await dataSource.query(
        `SELECT state, done, failed_count, finished_at,
                EXTRACT(EPOCH FROM finished_at - COALESCE(started_at, created_at))::float8 AS seconds
           FROM computation
          WHERE state IN ('succeeded', 'failed') AND finished_at > $1
          ORDER BY finished_at LIMIT 1000`,
        [since],
      );
      for (const r of finished) {
        this.computations.inc({ outcome: r.state });
        this.seconds.observe({ outcome: r.state }, Math.max(0, r.seconds));
        this.pairs.inc({ outcome: r.state }, Number(r.done));
        this.failedPairs.inc(Number(r.failed_count));
        since = r.finished_at;
      }
      const active: { state: 'pending' | 'running'; n: string; rate: number | null }[] = await dataSource.query(
        `SELECT state, count(*) AS n, max(units_per_second)::float8 AS rate
           FROM computation WHERE state IN ('pending', 'running') GROUP BY state`,
      );
      const of = (state: string) => active.find((a) => a.state === state);
      this.current = {
        pending: Number(of('pending')?.n ?? 0),
        running: Number(of('running')?.n ?? 0),
        pairsPerSecond: of('running')?.rate ?? 0,
      };
    });
    return this;
  }
}
