import { status as GrpcStatus } from '@grpc/grpc-js';
import CircuitBreaker from 'opossum';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** What a breaker reports: each call's outcome (a timeout is a failure too) and each change of state. */
export type BreakerEvent = 'success' | 'failure' | 'timeout' | 'reject' | 'fallback' | 'open' | 'half_open' | 'close';

/** opossum's event names → ours. */
const BREAKER_EVENTS: Readonly<Record<string, BreakerEvent>> = {
  success: 'success',
  failure: 'failure',
  timeout: 'timeout',
  reject: 'reject',
  fallback: 'fallback',
  open: 'open',
  halfOpen: 'half_open',
  close: 'close',
};

export type BreakerEventListener = (breaker: string, event: BreakerEvent) => void;

export interface BreakerOptions<TResult> {
  /** Per-call time limit; a slower call counts as a failure. */
  timeoutMs?: number;
  /** Failure percentage over the rolling window that opens the breaker. */
  errorThresholdPercentage?: number;
  /** How long the breaker stays open before letting one trial call through. */
  resetTimeoutMs?: number;
  /** Calls needed in the window before the percentage is trusted. */
  volumeThreshold?: number;
  rollingCountTimeoutMs?: number;
  /** Answer used when the call fails or the breaker is open. */
  fallback?: (...args: unknown[]) => TResult | Promise<TResult>;
  /** Errors that say "your request was wrong", not "the dependency is sick"; they do not trip the breaker. */
  isCallerError?: (err: unknown) => boolean;
}

export interface BreakerSnapshot {
  name: string;
  state: BreakerState;
  successes: number;
  failures: number;
  timeouts: number;
  rejects: number;
  fallbacks: number;
}

/** gRPC statuses that describe the request rather than the server's health. */
const CALLER_GRPC_STATUSES = new Set<number>([
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.NOT_FOUND,
  GrpcStatus.ALREADY_EXISTS,
  GrpcStatus.PERMISSION_DENIED,
  GrpcStatus.UNAUTHENTICATED,
  GrpcStatus.FAILED_PRECONDITION,
  GrpcStatus.OUT_OF_RANGE,
]);

export function isGrpcCallerError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && CALLER_GRPC_STATUSES.has(code);
}

export type Breaker<TArgs extends unknown[], TResult> = {
  readonly name: string;
  fire(...args: TArgs): Promise<TResult>;
  readonly state: BreakerState;
  shutdown(): void;
};

function stateOf(b: CircuitBreaker): BreakerState {
  if (b.opened) return 'open';
  if (b.halfOpen) return 'half_open';
  return 'closed';
}

/**
 * Makes opossum circuit breakers with our defaults for outgoing gRPC calls and keeps them in one
 * registry so metrics can report each breaker's state.
 */
export class CircuitBreakerFactory {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly listeners: BreakerEventListener[] = [];

  create<TArgs extends unknown[], TResult>(
    name: string,
    action: (...args: TArgs) => Promise<TResult>,
    options: BreakerOptions<TResult> = {},
  ): Breaker<TArgs, TResult> {
    if (this.breakers.has(name)) throw new Error(`circuit breaker "${name}" already exists`);
    const isCallerError = options.isCallerError ?? isGrpcCallerError;
    const breaker = new CircuitBreaker(action, {
      name,
      timeout: options.timeoutMs ?? 2000,
      errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
      resetTimeout: options.resetTimeoutMs ?? 10000,
      volumeThreshold: options.volumeThreshold ?? 5,
      rollingCountTimeout: options.rollingCountTimeoutMs ?? 10000,
      errorFilter: (err: unknown) => isCallerError(err),
    });
    if (options.fallback) breaker.fallback(options.fallback);
    for (const [emitted, event] of Object.entries(BREAKER_EVENTS)) {
      breaker.on(emitted as 'success', () => {
        for (const listener of this.listeners) listener(name, event);
      });
    }
    this.breakers.set(name, breaker);
    return {
      name,
      fire: (...args: TArgs) => breaker.fire(...args) as Promise<TResult>,
      get state() {
        return stateOf(breaker);
      },
      shutdown: () => {
        breaker.shutdown();
        this.breakers.delete(name);
      },
    };
  }

  /** Calls `listener` on every event of every breaker of this factory, made before or after (metrics). */
  onEvent(listener: BreakerEventListener): void {
    this.listeners.push(listener);
  }

  snapshot(): BreakerSnapshot[] {
    return [...this.breakers.values()].map((b) => {
      const s = b.stats;
      return {
        name: b.name,
        state: stateOf(b),
        successes: s.successes,
        failures: s.failures,
        timeouts: s.timeouts,
        rejects: s.rejects,
        fallbacks: s.fallbacks,
      };
    });
  }

  shutdownAll(): void {
    for (const b of this.breakers.values()) b.shutdown();
    this.breakers.clear();
  }
}
