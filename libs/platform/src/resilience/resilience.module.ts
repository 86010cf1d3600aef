import { Global, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { CircuitBreakerFactory } from './circuit-breaker.factory';

@Injectable()
export class CircuitBreakers extends CircuitBreakerFactory implements OnApplicationShutdown {
  onApplicationShutdown(): void {
    this.shutdownAll();
  }
}

/** One registry of circuit breakers per app, injectable as `CircuitBreakers`. */
@Global()
@Module({ providers: [CircuitBreakers], exports: [CircuitBreakers] })
export class ResilienceModule {}
