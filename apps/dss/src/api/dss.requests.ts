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
