import { MigrationInterface } from 'typeorm';
import { FeatureStoreInitial1764100000000 } from './1764100000000-feature-store-initial';

/** The feature-store service's own schema changes, oldest first (the platform's run before these). */
export const featureStoreMigrations: (new () => MigrationInterface)[] = [FeatureStoreInitial1764100000000];
