import { MigrationInterface } from 'typeorm';

/** The feature-store service's own schema changes, oldest first (the platform's run before these). */
export const featureStoreMigrations: (new () => MigrationInterface)[] = [];
