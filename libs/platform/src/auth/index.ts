export * from './api-key';
export * from './api-key.registry';
export * from './auth.errors';
export * from './auth.guard';
export * from './jwt.verifier';
export * from './scopes.decorator';
export * from './token-bucket';
