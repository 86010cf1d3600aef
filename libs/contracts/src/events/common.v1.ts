import { z } from 'zod';

/** Identifiers after cleaning: trimmed, non-empty, at most 128 characters. */
export const Id = z.string().trim().min(1).max(128);

/** An instant in UTC as ISO-8601 with a `Z` suffix (ingestion normalises every time to this). */
export const UtcInstant = z.iso.datetime({ offset: false });

/** ISO-4217 currency code. */
export const Currency = z.string().regex(/^[A-Z]{3}$/, { message: 'expected an ISO-4217 code such as EUR' });

/** Money in minor units (cents), so sums stay exact. */
export const MinorUnits = z.number().int();
