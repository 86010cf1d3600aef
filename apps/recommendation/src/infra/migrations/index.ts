import { MigrationInterface } from 'typeorm';
import { experimentMigrations } from './experiments.migrations';

/** The recommendation service's own schema changes, oldest first (the platform's run before these). */
export const recommendationMigrations: (new () => MigrationInterface)[] = [...experimentMigrations];
