import { MigrationInterface } from 'typeorm';

/** The training service's own schema changes, oldest first (the platform's run before these). */
export const trainingMigrations: (new () => MigrationInterface)[] = [];
