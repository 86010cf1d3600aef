export * from './facts';
export * from './decay';
export * from './feature-views';
export * from './cooccurrence';
