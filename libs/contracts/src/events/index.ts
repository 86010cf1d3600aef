export * from './common.v1';
export * from './ingestion.v1';
export * from './training.v1';
export * from './dss.v1';
export * from './catalogue';
