// Nest-facing platform API. Telemetry is imported separately (`@app/platform/telemetry`) because it
// must load before Nest does.
export * from './config';
export * from './errors';
export * from './database';
export * from './health';
export * from './logging';
export * from './messaging';
export * from './resilience';
export * from './metrics';
export * from './platform';
export * from './bootstrap';
