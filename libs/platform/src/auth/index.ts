export * from './api-key';
export * from './api-key.registry';
export * from './jwt.verifier';
