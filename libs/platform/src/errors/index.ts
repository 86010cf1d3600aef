export * from './domain-error';
export * from './error-map';
export * from './exception.filter';
export * from './zod-validation.pipe';
