export * from './circuit-breaker.factory';
export * from './resilience.module';
export * from './grpc-call';
