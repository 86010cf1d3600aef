export * from './config.loader';
export * from './config.vars';
export * from './platform.config';
export * from './config.module';
