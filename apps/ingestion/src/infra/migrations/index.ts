import { MigrationInterface } from 'typeorm';

/** The ingestion service's own schema changes, oldest first (the platform's run before these). */
export const ingestionMigrations: (new () => MigrationInterface)[] = [];
