/*
 * Applies (or reverts) a service's migrations without starting it:
 *   npm run migrate -- <service> [--revert]
 * Reads the same variables as the service (DATABASE_URL, NODE_ENV, …).
 */
import { AppName, APP_NAMES, loadConfig, PlatformConfig } from '@app/platform/config';
import { z } from 'zod';
import { openDataSource, PLATFORM_MIGRATIONS, redactUrl, runMigrations } from '@app/platform';
import { MigrationInterface } from 'typeorm';
import { dssConfigSchema } from '../apps/dss/src/dss.config';
import { dssMigrations } from '../apps/dss/src/infra/migrations';
import { featureStoreConfigSchema } from '../apps/feature-store/src/feature-store.config';
import { featureStoreMigrations } from '../apps/feature-store/src/infra/migrations';
import { ingestionConfigSchema } from '../apps/ingestion/src/ingestion.config';
import { ingestionMigrations } from '../apps/ingestion/src/infra/migrations';
import { recommendationConfigSchema } from '../apps/recommendation/src/recommendation.config';
import { recommendationMigrations } from '../apps/recommendation/src/infra/migrations';
import { trainingConfigSchema } from '../apps/training/src/training.config';
import { trainingMigrations } from '../apps/training/src/infra/migrations';

type Migration = new () => MigrationInterface;

const SERVICES: Record<AppName, { schema: z.ZodObject; migrations: Migration[] }> = {
  ingestion: { schema: ingestionConfigSchema, migrations: ingestionMigrations },
  'feature-store': { schema: featureStoreConfigSchema, migrations: featureStoreMigrations },
  training: { schema: trainingConfigSchema, migrations: trainingMigrations },
  recommendation: { schema: recommendationConfigSchema, migrations: recommendationMigrations },
  dss: { schema: dssConfigSchema, migrations: dssMigrations },
};

async function main(): Promise<void> {
  const [service, flag] = process.argv.slice(2);
  if (!service || !APP_NAMES.includes(service as AppName) || (flag && flag !== '--revert')) {
    console.error(`usage: npm run migrate -- <${APP_NAMES.join('|')}> [--revert]`);
    process.exit(2);
  }
  const app = service as AppName;
  const config = loadConfig(app, SERVICES[app].schema) as PlatformConfig;
  const dataSource = await openDataSource({
    url: config.DATABASE_URL,
    applicationName: `${app}-migrate`,
    entities: [],
    migrations: [...PLATFORM_MIGRATIONS, ...SERVICES[app].migrations],
    createIfMissing: config.DATABASE_CREATE_IF_MISSING && config.NODE_ENV !== 'production',
    nodeEnv: config.NODE_ENV,
  });
  try {
    if (flag === '--revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log(`${app}: reverted the last migration on ${redactUrl(config.DATABASE_URL)}`);
    } else {
      const applied = await runMigrations(dataSource);
      console.log(
        `${app}: ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'} on ${redactUrl(config.DATABASE_URL)}`,
      );
    }
  } finally {
    await dataSource.destroy();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
