import { MigrationInterface } from 'typeorm';

/** The dss service's own schema changes, oldest first (the platform's run before these). */
export const dssMigrations: (new () => MigrationInterface)[] = [];
