export * from './proto-root';
export * from './proto-loader.options';
export * from './service-catalogue';
export * from './timestamp';
