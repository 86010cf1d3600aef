/*
 * Rebuilds the feature store from the event stream (backfill): empties its derived tables, restarts its
 * durable consumer at the stream's first message and applies everything up to the stream's end:
 *   npm run feature-store:rebuild
 * Reads the service's variables (DATABASE_URL, NATS_URL, NATS_NAMESPACE, FEATURE_STORE_*). The
 * consuming replica must be stopped (or run with FEATURE_STORE_CONSUMER_ENABLED=false) meanwhile:
 * the command waits up to 30 s for the writer lock and otherwise stops without touching anything.
 * Erasure records are kept, so erased users' events stay out.
 */
import { NestFactory } from '@nestjs/core';
import { FeatureEventsConsumer } from '../apps/feature-store/src/api/feature-events.consumer';
import { FeatureStoreModule } from '../apps/feature-store/src/feature-store.module';

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(FeatureStoreModule.forCommand(), {
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks();
  const started = Date.now();
  let lastLog = 0;
  try {
    const applied = await app.get(FeatureEventsConsumer).rebuild((n, lastSeq) => {
      if (Date.now() - lastLog < 2000) return;
      lastLog = Date.now();
      process.stdout.write(`applied ${n} of ${lastSeq} messages\n`);
    });
    const s = (Date.now() - started) / 1000;
    process.stdout.write(`rebuilt from ${applied} messages in ${s.toFixed(1)} s (${Math.round(applied / s)} /s)\n`);
  } finally {
    await app.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`feature-store rebuild failed: ${err.message}\n`);
  process.exit(1);
});
