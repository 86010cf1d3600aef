import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, StreamableFile } from '@nestjs/common';
import { parseOrThrow } from '@app/platform/errors';
import { z } from 'zod';
import { RuleDefinition } from '../domain/rule';
import { REPORT_FORMATS, REPORT_KINDS } from '../domain/reports/report.types';
import { ForecastQuery, ForecastService } from '../application/forecast.service';
import { ReportService } from '../application/report.service';
import { RuleService } from '../application/rule.service';
import { SuggestionComputationService } from '../application/suggestion-computation.service';
import { SuggestionDecisionService } from '../application/suggestion-decision.service';
import { SupplyParametersService } from '../application/supply-parameters.service';
import { ComputationIdRequest, modelName, nextToken, page, quantileLevel } from './dss.requests';

/*
 * REST mirror of the gRPC API for managers' tools and browsers. JSON in camelCase, dates as ISO-8601.
 */

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const text = (max: number) => z.string().trim().max(max);

const ListQuery = z.object({
  storeId: text(128).optional(),
  category: text(256).optional(),
  sku: z.union([text(128), z.array(text(128))]).optional(),
  status: z.enum(['proposed', 'accepted', 'rejected', 'superseded']).optional(),
  orderNowOnly: z.enum(['true', 'false']).optional(),
  pageSize: z.coerce.number().int().min(1).max(1000).optional(),
  pageToken: z.string().regex(/^\d*$/, 'is not a token this service issued').optional(),
});

const DecisionBody = z.object({
  revision: z.number().int().min(0).default(0),
  actor: text(256).min(1, 'is required'),
  reason: text(4000).default(''),
  quantityOverride: z.number().int().min(0).optional(),
});

const RuleDefinitionBody: z.ZodType<RuleDefinition> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('discontinued') }),
  z.object({ type: z.literal('order_cap'), maxUnits: z.number().int().min(0) }),
  z.object({ type: z.literal('stock_floor'), minUnits: z.number().int().min(0) }),
  z.object({
    type: z.literal('demand_uplift'),
    startDate: isoDay,
    endDate: isoDay,
    factor: z.number().positive().max(100),
  }),
  z.object({ type: z.literal('supplier_order_days'), days: z.array(z.number().int().min(1).max(7)).min(1) }),
]);

const RuleBody = z.object({
  name: text(256).min(1, 'is required'),
  scope: z
    .object({
      storeId: text(128).optional(),
      category: text(256).optional(),
      skus: z.array(text(128)).max(10_000).default([]),
    })
    .default({ skus: [] }),
  definition: RuleDefinitionBody,
  enabled: z.boolean().default(true),
  actor: text(256).min(1, 'is required'),
  reason: text(4000).default(''),
  revision: z.number().int().min(0).default(0),
});

const ChangeBody = z.object({
  actor: text(256).min(1, 'is required'),
  reason: text(4000).default(''),
  revision: z.number().int().min(0).default(0),
});

const SupplyBody = z.object({
  actor: text(256).min(1, 'is required'),
  parameters: z
    .array(
      z.object({
        sku: text(128).min(1, 'is required'),
        storeId: text(128).default(''),
        leadTimeDays: z.number(),
        leadTimeStdDays: z.number().default(0),
        unitCostMinor: z.number().int(),
        orderCostMinor: z.number().int().default(0),
        holdingCostRate: z.number().optional(),
        currency: z.string(),
        minOrderQty: z.number().int().default(0),
        packSize: z.number().int().default(1),
        serviceLevel: z.number(),
        reviewPeriodDays: z.number().int().default(0),
      }),
    )
    .min(1)
    .max(10_000),
});

/** `?quantiles=0.1,0.9` or `?quantiles=0.1&quantiles=0.9`. */
const QuantileList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) =>
    ([] as string[])
      .concat(v)
      .flatMap((x) => x.split(','))
      .map((x) => x.trim())
      .filter(Boolean)
      .map(Number),
  )
  .pipe(z.array(quantileLevel).max(99, 'at most 99 levels'));

const ForecastParams = z.object({
  storeId: z.string({ message: 'is required' }).trim().min(1, 'is required').max(128),
  horizon: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 365')
    .max(365, 'must be between 1 and 365')
    .optional(),
  frequency: z.enum(['day', 'week', 'month'], { message: 'must be day, week or month' }).default('day'),
  quantiles: QuantileList.optional(),
  model: modelName.optional(),
  // Browsers and chart tools want the recent history with the forecast; gRPC callers ask for it explicitly.
  historyPeriods: z.coerce.number().int().min(0).max(5000).default(56),
});

const ScopeBody = z
  .object({
    storeId: text(128).optional(),
    category: text(256).optional(),
    skus: z.array(text(128).min(1, 'must not be empty')).max(10_000).default([]),
  })
  .default({ skus: [] });

const ComputeBody = z.object({
  scope: ScopeBody,
  requestId: text(128).optional(),
  requestedBy: text(256).min(1, 'is required'),
});

const ReportParams = z.object({
  kind: z.enum(REPORT_KINDS, { message: `must be one of ${REPORT_KINDS.map((k) => k.replace(/_/g, '-')).join(', ')}` }),
  format: z.enum(REPORT_FORMATS, { message: 'must be json, csv or html' }).default('json'),
  storeId: text(128).optional(),
  category: text(256).optional(),
  sku: z.union([text(128), z.array(text(128))]).optional(),
});

@Controller('v1')
export class DssHttpController {
  constructor(
    private readonly decisions: SuggestionDecisionService,
    private readonly rules: RuleService,
    private readonly supply: SupplyParametersService,
    private readonly forecasts: ForecastService,
    private readonly computations: SuggestionComputationService,
    private readonly reports: ReportService,
  ) {}

  @Get('forecasts/:sku')
  async forecast(@Param('sku') sku: string, @Query() query: unknown) {
    const q = parseOrThrow(ForecastParams, query);
    const { forecast, history } = await this.forecasts.forecast({
      sku: parseOrThrow(z.object({ sku: text(128).min(1, 'is required') }), { sku }).sku,
      storeId: q.storeId,
      horizon: q.horizon,
      frequency: q.frequency,
      quantiles: q.quantiles?.length ? [...new Set(q.quantiles)].sort((a, b) => a - b) : [0.1, 0.5, 0.9],
      model: (q.model || undefined) as ForecastQuery['model'],
      historyPeriods: q.historyPeriods,
    });
    return { forecast, history };
  }

  @Post('computations')
  @HttpCode(202)
  async compute(@Body() body: unknown) {
    const b = parseOrThrow(ComputeBody, body);
    return { computation: await this.computations.request(b.scope, b.requestId || undefined, b.requestedBy) };
  }

  @Get('computations/:id')
  async computation(@Param('id') id: string) {
    const { computationId } = parseOrThrow(ComputationIdRequest, { computationId: id });
    return { computation: await this.computations.get(computationId) };
  }

  /** The report as a document: JSON, CSV (a download) or an HTML page to open in a browser. */
  @Get('reports/:kind')
  async report(@Param('kind') kind: string, @Query() query: unknown) {
    const q = parseOrThrow(ReportParams, { ...(query as object), kind: kind.replace(/-/g, '_') });
    const report = await this.reports.render(q.kind, q.format, {
      storeId: q.storeId || undefined,
      category: q.category || undefined,
      skus: q.sku === undefined ? [] : ([] as string[]).concat(q.sku),
    });
    return new StreamableFile(report.body, {
      type: report.contentType,
      disposition: `${q.format === 'csv' ? 'attachment' : 'inline'}; filename="${report.filename}"`,
      length: report.body.length,
    });
  }

  @Get('suggestions')
  async listSuggestions(@Query() query: unknown) {
    const q = parseOrThrow(ListQuery, query);
    const paging = page({ pageSize: q.pageSize ?? 0, pageToken: q.pageToken ?? '' });
    const { items, total } = await this.decisions.list({
      storeId: q.storeId,
      category: q.category,
      skus: q.sku === undefined ? [] : ([] as string[]).concat(q.sku),
      status: q.status,
      orderNowOnly: q.orderNowOnly === 'true',
      ...paging,
    });
    return { suggestions: items, nextPageToken: nextToken(paging.offset, items.length, total), totalSize: total };
  }

  @Get('suggestions/:id')
  getSuggestion(@Param('id') id: string) {
    return this.decisions.get(id);
  }

  @Post('suggestions/:id/accept')
  @HttpCode(200)
  async accept(@Param('id') id: string, @Body() body: unknown) {
    const b = parseOrThrow(DecisionBody, body);
    return { suggestion: await this.decisions.accept(id, { expectedRevision: b.revision, ...b }) };
  }

  @Post('suggestions/:id/reject')
  @HttpCode(200)
  async reject(@Param('id') id: string, @Body() body: unknown) {
    const b = parseOrThrow(DecisionBody.omit({ quantityOverride: true }), body);
    return { suggestion: await this.decisions.reject(id, { expectedRevision: b.revision, ...b }) };
  }

  @Get('rules')
  async listRules(@Query('includeDisabled') includeDisabled?: string) {
    return { rules: await this.rules.list(includeDisabled === 'true', 1000, 0) };
  }

  @Post('rules')
  async createRule(@Body() body: unknown) {
    const b = parseOrThrow(RuleBody, body);
    const rule = await this.rules.create(
      { name: b.name, scope: b.scope, definition: b.definition, enabled: b.enabled },
      { actor: b.actor, reason: b.reason },
    );
    return { rule };
  }

  @Put('rules/:id')
  async updateRule(@Param('id') id: string, @Body() body: unknown) {
    const b = parseOrThrow(RuleBody, body);
    const rule = await this.rules.update(
      id,
      { name: b.name, scope: b.scope, definition: b.definition, enabled: b.enabled },
      { actor: b.actor, reason: b.reason, expectedRevision: b.revision },
    );
    return { rule };
  }

  @Delete('rules/:id')
  async deleteRule(@Param('id') id: string, @Body() body: unknown) {
    const b = parseOrThrow(ChangeBody, body);
    return { rule: await this.rules.delete(id, { actor: b.actor, reason: b.reason, expectedRevision: b.revision }) };
  }

  @Get('rules/:id/history')
  async ruleHistory(@Param('id') id: string) {
    return { history: await this.rules.history(id) };
  }

  @Put('supply-parameters')
  async upsertSupply(@Body() body: unknown) {
    const b = parseOrThrow(SupplyBody, body);
    const now = new Date();
    const result = await this.supply.upsert(b.parameters.map((p) => ({ ...p, updatedAt: now, updatedBy: b.actor })));
    return { upsertedCount: result.upserted, errors: result.errors };
  }

  @Get('supply-parameters')
  async getSupply(@Query() query: unknown) {
    const q = parseOrThrow(
      z.object({ sku: z.union([text(128), z.array(text(128))]), storeId: text(128).default('') }),
      query,
    );
    const { found, missing } = await this.supply.get(([] as string[]).concat(q.sku), q.storeId);
    return { parameters: found, missingSkus: missing };
  }
}
