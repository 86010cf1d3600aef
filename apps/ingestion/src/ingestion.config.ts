import { bool, platformConfigSchema, positiveInt } from '@app/platform/config';
import { z } from 'zod';

const CURRENCY_RATE = /^[A-Z]{3}:(0|[1-9]\d*)?(\.\d+)?$/;

const taxRates = z
  .string()
  .default('')
  .refine((v) => v.trim() === '' || v.split(',').every((p) => CURRENCY_RATE.test(p.trim())), {
    message: 'expected CUR:rate pairs separated by commas, e.g. GBP:0.2,EUR:0.19',
  });

/** `GBP:0.2,EUR:0.19` → { GBP: 0.2, EUR: 0.19 } (the variable is validated by the schema). */
export function parseTaxRates(value: string): Record<string, number> {
  return Object.fromEntries(
    value
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const [currency, rate] = p.split(':');
        return [currency, Number(rate)];
      }),
  );
}

const timeZone = (def: string) =>
  z
    .string()
    .default(def)
    .refine(
      (zone) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      },
      { message: 'expected an IANA time zone such as UTC or Europe/London' },
    );

/** Every variable the ingestion service reads; `.env.example` lists them with their defaults. */
export const ingestionConfigSchema = platformConfigSchema('ingestion').extend({
  /** Most records one batch (REST body, gRPC request or stream message) may carry. */
  INGESTION_MAX_BATCH_SIZE: positiveInt(1000),
  /** Times later than the receipt time plus this are quarantined as far-future. */
  INGESTION_MAX_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).default(300),
  /** Times before this are quarantined as impossible. */
  INGESTION_EARLIEST_TIME: z.iso.datetime({ offset: true }).default('1990-01-01T00:00:00Z'),
  /** Zone of times sent without an offset. */
  INGESTION_DEFAULT_TIME_ZONE: timeZone('UTC'),
  /** Sales-tax / VAT rate per currency, to turn prices sent with tax into net prices. */
  INGESTION_TAX_RATES: taxRates,
  /** Bot rule: more interactions than this from one user or session within one second (event time) are quarantined; 0 = off. */
  INGESTION_BOT_MAX_EVENTS_PER_SECOND: z.coerce.number().int().min(0).default(20),
  /** Apply the bot rule to bulk imports too (history from back-office files is trusted by default). */
  INGESTION_BOT_RULE_ON_IMPORTS: bool(false),
  /** Events the publisher reads and sends to JetStream per round. */
  INGESTION_PUBLISH_BATCH_SIZE: positiveInt(5000),
  /** How often the publisher looks for new events when nothing woke it. */
  INGESTION_PUBLISH_INTERVAL_MS: positiveInt(250),
  /** Wait after a failed publish round (NATS down) before the next. */
  INGESTION_PUBLISH_RETRY_MS: positiveInt(1000),
  /** Counts, throughput and publish lag in the log this often; 0 = never. */
  INGESTION_STATS_LOG_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  /** Rows an import job reads, stores and checkpoints per transaction. */
  INGESTION_IMPORT_BATCH_ROWS: positiveInt(1000),
});

export type IngestionConfig = z.infer<typeof ingestionConfigSchema>;
