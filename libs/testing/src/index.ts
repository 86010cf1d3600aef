export * from './run-id';
export * from './postgres';
export * from './nats';
export * from './ports';
export * from './build';
export * from './nats-server';
export * from './tcp-proxy';
