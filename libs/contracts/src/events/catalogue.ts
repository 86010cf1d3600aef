import { z } from 'zod';
import {
  InteractionEventV1,
  ItemUpsertedV1,
  RawSubmissionV1,
  SalesLineV1,
  StockPositionV1,
  SupplyParametersV1,
  UserErasureRequestedV1,
  UserUpsertedV1,
} from './ingestion.v1';
import { ModelPromotedV1 } from './training.v1';
import { SuggestionChangedV1 } from './dss.v1';

/**
 * JetStream streams. The duplicate window bounds how long the server remembers message ids (memory
 * grows with rate × window); consumers de-duplicate beyond it through their inbox table. Names and subjects are relative to the deployment's namespace (NATS_NAMESPACE,
 * default `retail`): stream `EVENTS` becomes `RETAIL_EVENTS` on subjects `retail.events.>` etc.
 */
export const STREAMS = {
  /** Cleaned facts from ingestion: the input of the feature store and the DSS. */
  EVENTS: {
    subjects: ['events.>', 'catalog.>', 'sales.>', 'stock.>', 'supply.>', 'privacy.>'],
    maxAgeDays: 365,
    duplicateWindowMinutes: 5,
  },
  /** Raw submissions from bus producers (and feedback from recommendation), validated by ingestion. */
  INGEST: { subjects: ['ingest.>'], maxAgeDays: 7, duplicateWindowMinutes: 5 },
  MODELS: { subjects: ['models.>'], maxAgeDays: 365, duplicateWindowMinutes: 60 },
  DSS: { subjects: ['dss.>'], maxAgeDays: 365, duplicateWindowMinutes: 60 },
} as const;
export type StreamName = keyof typeof STREAMS;

/** Every subject with its stream, payload schema and producer. The subject's `v1` is the schema version. */
export const EVENT_CATALOGUE = {
  'events.v1.interaction': { stream: 'EVENTS', schema: InteractionEventV1, producer: 'ingestion' },
  'catalog.v1.item': { stream: 'EVENTS', schema: ItemUpsertedV1, producer: 'ingestion' },
  'catalog.v1.user': { stream: 'EVENTS', schema: UserUpsertedV1, producer: 'ingestion' },
  'sales.v1.line': { stream: 'EVENTS', schema: SalesLineV1, producer: 'ingestion' },
  'stock.v1.position': { stream: 'EVENTS', schema: StockPositionV1, producer: 'ingestion' },
  'supply.v1.parameters': { stream: 'EVENTS', schema: SupplyParametersV1, producer: 'ingestion' },
  'privacy.v1.user_erasure_requested': { stream: 'EVENTS', schema: UserErasureRequestedV1, producer: 'ingestion' },
  'ingest.v1.submission': { stream: 'INGEST', schema: RawSubmissionV1, producer: 'any' },
  'models.v1.promoted': { stream: 'MODELS', schema: ModelPromotedV1, producer: 'training' },
  'dss.v1.suggestion_changed': { stream: 'DSS', schema: SuggestionChangedV1, producer: 'dss' },
} as const satisfies Record<string, { stream: StreamName; schema: z.ZodType; producer: string }>;

export type EventSubject = keyof typeof EVENT_CATALOGUE;
export type EventPayload<S extends EventSubject> = z.infer<(typeof EVENT_CATALOGUE)[S]['schema']>;

/** Validates a payload against its subject's schema; throws a ZodError naming the bad fields. */
export function parseEvent<S extends EventSubject>(subject: S, payload: unknown): EventPayload<S> {
  return EVENT_CATALOGUE[subject].schema.parse(payload) as EventPayload<S>;
}

/** Stream name of a subject, without namespace. */
export function streamOf(subject: EventSubject): StreamName {
  return EVENT_CATALOGUE[subject].stream;
}
