export * from './circuit-breaker.factory';
export * from './resilience.module';
