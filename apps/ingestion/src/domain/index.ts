/** The ingestion service's cleaning core: plain TypeScript, no framework, no I/O. */
export * from './cleaning.types';
export * from './record-error.codes';
export { cleanRecord } from './record.cleaner';
export { normaliseId } from './record.reader';
export { isValidTimeZone } from './time.parser';
export { isKnownCurrency } from './money.parser';
