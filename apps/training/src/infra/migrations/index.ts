import { MigrationInterface } from 'typeorm';
import { TrainingInitial1764200000000 } from './1764200000000-training-initial';

/** The training service's own schema changes, oldest first (the platform's run before these). */
export const trainingMigrations: (new () => MigrationInterface)[] = [TrainingInitial1764200000000];
