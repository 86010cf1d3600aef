import { MigrationInterface } from 'typeorm';

/** The recommendation service's own schema changes, oldest first (the platform's run before these). */
export const recommendationMigrations: (new () => MigrationInterface)[] = [];
