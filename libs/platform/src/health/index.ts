export * from './health.indicator';
export * from './health.service';
export * from './health.module';
export * from './health.grpc.controller';
export * from './health.http.controller';
