import { MigrationInterface } from 'typeorm';
import { Experiments1764200000000 } from './1764200000000-experiments';

/** The experiments slice's schema changes, oldest first; appended to the app's migration list. */
export const experimentMigrations: (new () => MigrationInterface)[] = [Experiments1764200000000];
