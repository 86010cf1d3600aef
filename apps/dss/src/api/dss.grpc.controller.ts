import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { dssV1 } from '@app/contracts';
import { toTimestamp } from '@app/contracts/grpc';
import { parseOrThrow, ValidationError } from '@app/platform/errors';
import { defer, from, Observable, concatMap } from 'rxjs';
import { z } from 'zod';
import { ForecastQuery, ForecastService } from '../application/forecast.service';
import { ReportService } from '../application/report.service';
import { RuleService } from '../application/rule.service';
import { SuggestionComputationService } from '../application/suggestion-computation.service';
import { SuggestionDecisionService } from '../application/suggestion-decision.service';
import { SupplyParametersService } from '../application/supply-parameters.service';
import {
  auditToProto,
  computationToProto,
  definitionFromProto,
  forecastToProto,
  frequencyFromProto,
  reportFormatFromProto,
  reportKindFromProto,
  ruleToProto,
  scopeFromProto,
  statusFromProto,
  suggestionToProto,
  supplyFromProto,
  supplyToProto,
} from './dss.proto-mapping';
import {
  ComputationIdRequest,
  ComputeSuggestionsRequest,
  DecisionRequest,
  GetForecastRequest,
  GetReportRequest,
  nextToken,
  page,
  Paging,
  RuleChange,
  SuggestionIdRequest,
} from './dss.requests';

const SERVICE = dssV1.DSS_SERVICE_NAME;

/** Largest report chunk per stream message. */
export const REPORT_CHUNK_BYTES = 64 * 1024;

function ruleInput(rule: dssV1.Rule | null | undefined) {
  if (!rule) throw new ValidationError([{ field: 'rule', message: 'is required' }]);
  const definition = definitionFromProto(rule);
  if (!definition) {
    throw new ValidationError([
      {
        field: 'rule.kind',
        message: 'set one of discontinued, order_cap, stock_floor, demand_uplift, supplier_order_days',
      },
    ]);
  }
  return { name: rule.name.trim(), scope: scopeFromProto(rule.scope), definition, enabled: rule.enabled };
}

/** gRPC entry points: validate, delegate, translate. */
@Controller()
export class DssGrpcController {
  constructor(
    private readonly decisions: SuggestionDecisionService,
    private readonly rules: RuleService,
    private readonly supply: SupplyParametersService,
    private readonly forecasts: ForecastService,
    private readonly computations: SuggestionComputationService,
    private readonly reports: ReportService,
  ) {}

  @GrpcMethod(SERVICE, 'GetForecast')
  async getForecast(request: dssV1.GetForecastRequest): Promise<dssV1.GetForecastResponse> {
    const r = parseOrThrow(GetForecastRequest, request);
    const { forecast, history } = await this.forecasts.forecast({
      sku: r.sku,
      storeId: r.storeId,
      horizon: r.horizon || undefined,
      frequency: frequencyFromProto(r.frequency),
      quantiles: r.quantiles.length > 0 ? [...new Set(r.quantiles)].sort((a, b) => a - b) : [0.1, 0.5, 0.9],
      model: (r.model || undefined) as ForecastQuery['model'],
      historyPeriods: r.historyPeriods,
    });
    return { forecast: forecastToProto(forecast, history) };
  }

  @GrpcMethod(SERVICE, 'ComputeSuggestions')
  async computeSuggestions(request: dssV1.ComputeSuggestionsRequest): Promise<dssV1.ComputeSuggestionsResponse> {
    const r = parseOrThrow(ComputeSuggestionsRequest, request);
    const c = await this.computations.request(scopeFromProto(r.scope), r.requestId || undefined, r.requestedBy);
    return { computation: computationToProto(c) };
  }

  @GrpcMethod(SERVICE, 'GetComputation')
  async getComputation(request: dssV1.GetComputationRequest): Promise<dssV1.GetComputationResponse> {
    const { computationId } = parseOrThrow(ComputationIdRequest, request);
    return { computation: computationToProto(await this.computations.get(computationId)) };
  }

  /** A header message, then the document in chunks of at most 64 KiB. */
  @GrpcMethod(SERVICE, 'GetReport')
  getReport(request: dssV1.GetReportRequest): Observable<dssV1.GetReportResponse> {
    return defer(async () => {
      const r = parseOrThrow(GetReportRequest, request);
      return this.reports.render(reportKindFromProto(r.kind), reportFormatFromProto(r.format), scopeFromProto(r.scope));
    }).pipe(
      concatMap((report) => {
        const messages: dssV1.GetReportResponse[] = [
          {
            header: {
              contentType: report.contentType,
              filename: report.filename,
              generatedAt: toTimestamp(report.generatedAt),
            },
            chunk: Buffer.alloc(0),
          },
        ];
        for (let i = 0; i < report.body.length; i += REPORT_CHUNK_BYTES) {
          messages.push({ header: null, chunk: report.body.subarray(i, i + REPORT_CHUNK_BYTES) });
        }
        return from(messages);
      }),
    );
  }

  @GrpcMethod(SERVICE, 'GetSuggestion')
  async getSuggestion(request: dssV1.GetSuggestionRequest): Promise<dssV1.GetSuggestionResponse> {
    const { suggestionId } = parseOrThrow(SuggestionIdRequest, request);
    const { suggestion, audit } = await this.decisions.get(suggestionId);
    return { suggestion: suggestionToProto(suggestion), audit: audit.map(auditToProto) };
  }

  @GrpcMethod(SERVICE, 'ListSuggestions')
  async listSuggestions(request: dssV1.ListSuggestionsRequest): Promise<dssV1.ListSuggestionsResponse> {
    const paging = page(parseOrThrow(Paging, request));
    const scope = scopeFromProto(request.scope);
    const { items, total } = await this.decisions.list({
      ...scope,
      status: statusFromProto(request.status),
      orderNowOnly: request.orderNowOnly,
      ...paging,
    });
    return {
      suggestions: items.map(suggestionToProto),
      nextPageToken: nextToken(paging.offset, items.length, total),
      totalSize: total,
    };
  }

  @GrpcMethod(SERVICE, 'AcceptSuggestion')
  async acceptSuggestion(request: dssV1.AcceptSuggestionRequest): Promise<dssV1.AcceptSuggestionResponse> {
    const r = parseOrThrow(DecisionRequest, request);
    const s = await this.decisions.accept(r.suggestionId, {
      expectedRevision: r.revision,
      actor: r.actor,
      reason: r.reason,
      quantityOverride: r.quantityOverride,
    });
    return { suggestion: suggestionToProto(s) };
  }

  @GrpcMethod(SERVICE, 'RejectSuggestion')
  async rejectSuggestion(request: dssV1.RejectSuggestionRequest): Promise<dssV1.RejectSuggestionResponse> {
    const r = parseOrThrow(DecisionRequest.omit({ quantityOverride: true }), request);
    const s = await this.decisions.reject(r.suggestionId, {
      expectedRevision: r.revision,
      actor: r.actor,
      reason: r.reason,
    });
    return { suggestion: suggestionToProto(s) };
  }

  @GrpcMethod(SERVICE, 'CreateRule')
  async createRule(request: dssV1.CreateRuleRequest): Promise<dssV1.CreateRuleResponse> {
    const change = parseOrThrow(RuleChange, request);
    return { rule: ruleToProto(await this.rules.create(ruleInput(request.rule), change)) };
  }

  @GrpcMethod(SERVICE, 'UpdateRule')
  async updateRule(request: dssV1.UpdateRuleRequest): Promise<dssV1.UpdateRuleResponse> {
    const change = parseOrThrow(RuleChange, request);
    const ruleId = parseOrThrow(z.string().trim().min(1, 'rule.rule_id is required'), request.rule?.ruleId ?? '');
    const updated = await this.rules.update(ruleId, ruleInput(request.rule), {
      ...change,
      expectedRevision: request.revision,
    });
    return { rule: ruleToProto(updated) };
  }

  @GrpcMethod(SERVICE, 'DeleteRule')
  async deleteRule(request: dssV1.DeleteRuleRequest): Promise<dssV1.DeleteRuleResponse> {
    const change = parseOrThrow(RuleChange, request);
    const ruleId = parseOrThrow(z.string().trim().min(1, 'rule_id is required'), request.ruleId);
    return { rule: ruleToProto(await this.rules.delete(ruleId, { ...change, expectedRevision: request.revision })) };
  }

  @GrpcMethod(SERVICE, 'ListRules')
  async listRules(request: dssV1.ListRulesRequest): Promise<dssV1.ListRulesResponse> {
    const paging = page(parseOrThrow(Paging, request));
    const rules = await this.rules.list(request.includeDisabled, paging.limit + 1, paging.offset);
    const more = rules.length > paging.limit;
    return {
      rules: rules.slice(0, paging.limit).map(ruleToProto),
      nextPageToken: more ? String(paging.offset + paging.limit) : '',
    };
  }

  @GrpcMethod(SERVICE, 'UpsertSupplyParameters')
  async upsertSupplyParameters(
    request: dssV1.UpsertSupplyParametersRequest,
  ): Promise<dssV1.UpsertSupplyParametersResponse> {
    const { actor } = parseOrThrow(z.object({ actor: z.string().trim().min(1, 'actor is required') }), request);
    if (request.parameters.length === 0) throw new ValidationError([{ field: 'parameters', message: 'is empty' }]);
    if (request.parameters.length > 10_000) {
      throw new ValidationError([{ field: 'parameters', message: 'at most 10000 records per call' }]);
    }
    const result = await this.supply.upsert(request.parameters.map((p) => supplyFromProto(p, actor)));
    return {
      upsertedCount: result.upserted,
      errors: result.errors.map((e) => ({ field: e.field, code: 'INVALID', message: e.message })),
    };
  }

  @GrpcMethod(SERVICE, 'GetSupplyParameters')
  async getSupplyParameters(request: dssV1.GetSupplyParametersRequest): Promise<dssV1.GetSupplyParametersResponse> {
    const skus = request.skus.map((s) => s.trim()).filter(Boolean);
    if (skus.length === 0) throw new ValidationError([{ field: 'skus', message: 'give at least one SKU' }]);
    const { found, missing } = await this.supply.get(skus, request.storeId.trim());
    return { parameters: found.map(supplyToProto), missingSkus: missing };
  }
}
