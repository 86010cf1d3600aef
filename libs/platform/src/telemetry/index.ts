export * from './telemetry';
export * from './trace-id';
