import { MODEL_NAMES } from '@app/forecasting';
import { z } from 'zod';

/*
 * Request validation shared by gRPC and REST: each schema names the field that is wrong.
 * gRPC messages arrive with defaults ('' and 0) for unset fields, so "required" means non-empty.
 */

const id = (what: string) => z.string().trim().min(1, `${what} is required`).max(128);

export const Paging = z.object({
  pageSize: z.number().int().min(0).max(1000).default(0),
  pageToken: z.string().regex(/^\d*$/, 'is not a token this service issued').default(''),
});

export function page(p: z.infer<typeof Paging>, defaultSize = 100): { limit: number; offset: number } {
  return { limit: p.pageSize || defaultSize, offset: p.pageToken ? Number(p.pageToken) : 0 };
}

export function nextToken(offset: number, returned: number, total: number): string {
  return offset + returned < total ? String(offset + returned) : '';
}

export const DecisionRequest = z.object({
  suggestionId: id('suggestion_id'),
  revision: z.number().int().min(0).default(0),
  actor: id('actor'),
  reason: z.string().max(4000).default(''),
  quantityOverride: z.number().int().min(0).max(1e12).optional(),
});

export const SuggestionIdRequest = z.object({ suggestionId: id('suggestion_id') });

export const RuleChange = z.object({
  actor: id('actor'),
  reason: z.string().max(4000).default(''),
});

const MODEL_NAME_LIST: readonly string[] = MODEL_NAMES;

/** A forecast model name, or empty for the backtest's choice. */
export const modelName = z
  .string()
  .trim()
  .refine((m) => m === '' || MODEL_NAME_LIST.includes(m), { message: `must be one of ${MODEL_NAMES.join(', ')}` });

export const quantileLevel = z
  .number({ message: 'must be a number' })
  .gt(0, 'must be between 0 and 1 (exclusive)')
  .lt(1, 'must be between 0 and 1 (exclusive)');

export const GetForecastRequest = z.object({
  sku: id('sku'),
  storeId: id('store_id'),
  // 0 = lead time + review period of the item.
  horizon: z
    .number()
    .int('must be a whole number')
    .min(0, 'must be between 1 and 365')
    .max(365, 'must be between 1 and 365'),
  frequency: z.enum(['FREQUENCY_UNSPECIFIED', 'FREQUENCY_DAY', 'FREQUENCY_WEEK', 'FREQUENCY_MONTH'], {
    message: 'must be FREQUENCY_DAY, FREQUENCY_WEEK or FREQUENCY_MONTH',
  }),
  quantiles: z.array(quantileLevel).max(99, 'at most 99 levels'),
  model: modelName,
  historyPeriods: z.number().int().min(0, 'must be ≥ 0').max(5000, 'must be at most 5000'),
});

const ScopeMessage = z
  .object({
    storeId: z.string().trim().max(128).default(''),
    category: z.string().trim().max(256).default(''),
    skus: z.array(z.string().trim().min(1, 'must not be empty').max(128)).max(10_000).default([]),
  })
  .nullish();

export const ComputeSuggestionsRequest = z.object({
  scope: ScopeMessage,
  requestId: z.string().trim().max(128, 'at most 128 characters').default(''),
  requestedBy: id('requested_by'),
});

export const ComputationIdRequest = z.object({ computationId: z.uuid({ message: 'computation_id must be a UUID' }) });

export const GetReportRequest = z.object({
  kind: z.enum(
    [
      'REPORT_KIND_OVERVIEW',
      'REPORT_KIND_ABC_XYZ',
      'REPORT_KIND_STOCKOUT_RISK',
      'REPORT_KIND_OVERSTOCK',
      'REPORT_KIND_FORECAST_ACCURACY',
    ],
    { message: 'choose a report kind: OVERVIEW, ABC_XYZ, STOCKOUT_RISK, OVERSTOCK or FORECAST_ACCURACY' },
  ),
  format: z.enum(['REPORT_FORMAT_UNSPECIFIED', 'REPORT_FORMAT_JSON', 'REPORT_FORMAT_CSV', 'REPORT_FORMAT_HTML'], {
    message: 'must be REPORT_FORMAT_JSON, REPORT_FORMAT_CSV or REPORT_FORMAT_HTML',
  }),
  scope: ScopeMessage,
});
