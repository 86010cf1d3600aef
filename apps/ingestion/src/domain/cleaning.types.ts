import type { EventPayload, EventSubject } from '@app/contracts';

/** The six kinds of record the ingestion service accepts (one per batch RPC / import kind). */
export type RecordKind = 'interaction' | 'item' | 'user' | 'sales_line' | 'stock_position' | 'supply_parameters';

export const RECORD_KINDS: readonly RecordKind[] = [
  'interaction',
  'item',
  'user',
  'sales_line',
  'stock_position',
  'supply_parameters',
];

/** Subject each cleaned record is published on. */
export const SUBJECT_OF_KIND = {
  interaction: 'events.v1.interaction',
  item: 'catalog.v1.item',
  user: 'catalog.v1.user',
  sales_line: 'sales.v1.line',
  stock_position: 'stock.v1.position',
  supply_parameters: 'supply.v1.parameters',
} as const satisfies Record<RecordKind, EventSubject>;

export type SubjectOfKind<K extends RecordKind> = (typeof SUBJECT_OF_KIND)[K];
export type EventOfKind<K extends RecordKind> = EventPayload<SubjectOfKind<K>>;

/** One problem with one field; `field` is relative to the record, e.g. `unitPrice.currencyCode`, `shownItemIds[2]`. */
export interface RecordError {
  field: string;
  code: string;
  message: string;
}

/** Notes on an accepted record (the service adds UNKNOWN_USER/ITEM_REGISTERED itself). */
export type RecordFlag = 'TIME_NORMALISED' | 'ID_NORMALISED';

export interface CleaningContext {
  /** 'now' for this batch. */
  receivedAt: Date;
  /** Times later than receivedAt + skew are TIME.FAR_FUTURE (service default 5 min). */
  maxClockSkewMs: number;
  /** Earlier times are TIME.TOO_OLD (service default 1990-01-01T00:00:00Z). */
  earliestTime: Date;
  /** IANA zone applied to times without offset, e.g. 'UTC' or 'Europe/London'; check it with isValidTimeZone at start-up. */
  defaultTimeZone: string;
  /** Currency -> VAT/sales-tax rate, e.g. { GBP: 0.2 }, for prices that include tax. */
  taxRates: Readonly<Record<string, number>>;
}

export interface CleanedRecordOf<K extends RecordKind> {
  ok: true;
  kind: K;
  subject: SubjectOfKind<K>;
  /** Idempotency key: `<kind>:id:<client id>` or `<kind>:h:<content hash>`. */
  key: string;
  event: EventOfKind<K>;
  flags: RecordFlag[];
  /** Normalised user id the record mentions (interactions with a user, users). */
  userId?: string;
  /** Normalised item ids the record mentions, without repeats. */
  itemIds: string[];
}

/** An accepted record, discriminated by kind so `event` has the type of its subject. */
export type CleanedRecord = { [K in RecordKind]: CleanedRecordOf<K> }[RecordKind];

export interface RejectedRecord {
  ok: false;
  kind: RecordKind;
  errors: RecordError[];
}

export type CleanResult = CleanedRecord | RejectedRecord;
