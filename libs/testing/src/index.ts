export * from './run-id';
export * from './postgres';
export * from './nats';
export * from './ports';
