import { MigrationInterface } from 'typeorm';
import { IngestionInitial1764000000000 } from './1764000000000-ingestion-initial';

/** The ingestion service's own schema changes, oldest first (the platform's run before these). */
export const ingestionMigrations: (new () => MigrationInterface)[] = [IngestionInitial1764000000000];
