import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@app/platform/metrics';

/** Stage and fit times run from milliseconds (tests) to hours (large catalogues). */
const TRAINING_BUCKETS = [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 10_800];

/** Runs, stages, fits and promotions, for Prometheus (GET /metrics). */
@Injectable()
export class TrainingMetrics {
  private readonly runs;
  private readonly stageSeconds;
  private readonly fitSeconds;
  private readonly promotions;

  constructor(metrics: MetricsRegistry) {
    this.runs = metrics.counter('training_runs_total', 'Runs that ended, by trigger and outcome', [
      'trigger',
      'outcome',
    ]);
    this.stageSeconds = metrics.histogram(
      'training_stage_duration_seconds',
      'Wall time of one run stage',
      ['stage'],
      TRAINING_BUCKETS,
    );
    this.fitSeconds = metrics.histogram(
      'training_fit_duration_seconds',
      'Fit time of one candidate',
      ['algorithm'],
      TRAINING_BUCKETS,
    );
    this.promotions = metrics.counter('training_promotions_total', 'Champion changes by reason', ['reason']);
  }

  runEnded(trigger: string, outcome: 'succeeded' | 'failed' | 'interrupted'): void {
    this.runs.inc({ trigger, outcome });
  }

  stage(stage: string, seconds: number): void {
    this.stageSeconds.observe({ stage }, seconds);
  }

  fitted(algorithm: string, seconds: number): void {
    this.fitSeconds.observe({ algorithm }, seconds);
  }

  promoted(reason: string): void {
    this.promotions.inc({ reason });
  }
}
