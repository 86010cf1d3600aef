import { Injectable } from '@nestjs/common';
import type { BreakerEvent, BreakerState, CircuitBreakerFactory } from '../resilience/circuit-breaker.factory';
import type { CounterChild } from './bound-metrics';
import { MetricsRegistry } from './metrics.registry';

/** The gauge's value per state: higher is worse, so `max by (breaker)` shows the worst replica. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 };

/**
 * Every circuit breaker the platform factory made: its state, read when scraped, and its events
 * (each call's outcome and each change of state), counted as they happen.
 */
@Injectable()
export class BreakerMetrics {
  private readonly events;
  private readonly children = new Map<string, Map<BreakerEvent, CounterChild>>();
  private factory?: Pick<CircuitBreakerFactory, 'snapshot'>;

  constructor(metrics: MetricsRegistry) {
    this.events = metrics.boundCounter(
      'circuit_breaker_events_total',
      'Circuit breaker events: success, failure (timeouts included), timeout, reject (open), fallback, open, half_open, close',
      ['breaker', 'event'],
    );
    const breakers = () => this.factory?.snapshot() ?? [];
    metrics.gauge(
      'circuit_breaker_state',
      'Circuit breaker state: 0 closed, 1 half-open, 2 open',
      ['breaker'],
      function () {
        this.reset();
        for (const b of breakers()) this.set({ breaker: b.name }, BREAKER_STATE_VALUE[b.state]);
      },
    );
  }

  watch(factory: CircuitBreakerFactory): this {
    this.factory = factory;
    factory.onEvent((breaker, event) => this.child(breaker, event).inc());
    return this;
  }

  private child(breaker: string, event: BreakerEvent): CounterChild {
    let byEvent = this.children.get(breaker);
    if (!byEvent) this.children.set(breaker, (byEvent = new Map()));
    let child = byEvent.get(event);
    if (!child) byEvent.set(event, (child = this.events.labels({ breaker, event })));
    return child;
  }
}
