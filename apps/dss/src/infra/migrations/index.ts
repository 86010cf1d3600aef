import { MigrationInterface } from 'typeorm';
import { DssInitial1763800000000 } from './1763800000000-dss-initial';
import { DssDecisions1763900000000 } from './1763900000000-dss-decisions';

/** The dss service's own schema changes, oldest first (the platform's run before these). */
export const dssMigrations: (new () => MigrationInterface)[] = [DssInitial1763800000000, DssDecisions1763900000000];
