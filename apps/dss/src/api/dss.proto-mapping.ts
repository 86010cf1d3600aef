import { commonV1, dssV1 } from '@app/contracts';
import { toTimestamp } from '@app/contracts/grpc';
import { Frequency } from '@app/forecasting';
import { Computation, ComputationState } from '../domain/computation';
import { ForecastRecord, HistoryPoint } from '../domain/forecast';
import { ReportFormat, ReportKind } from '../domain/reports/report.types';
import { Rule, RuleDefinition, RuleScope } from '../domain/rule';
import { AuditEntry, Suggestion, SuggestionStatus } from '../domain/suggestion';
import { SupplyParameters } from '../domain/supply-parameters';

/** Translation between the gRPC contract (generated types) and the DSS's domain objects. */

const STATUS_TO_PROTO: Record<SuggestionStatus, dssV1.SuggestionStatus> = {
  proposed: dssV1.SuggestionStatus.PROPOSED,
  accepted: dssV1.SuggestionStatus.ACCEPTED,
  rejected: dssV1.SuggestionStatus.REJECTED,
  superseded: dssV1.SuggestionStatus.SUPERSEDED,
};

export function statusFromProto(s: dssV1.SuggestionStatus | undefined): SuggestionStatus | undefined {
  return (Object.entries(STATUS_TO_PROTO).find(([, p]) => p === s)?.[0] as SuggestionStatus | undefined) ?? undefined;
}

export function localDate(iso: string): commonV1.LocalDate {
  const [year, month, day] = iso.split('-').map(Number);
  return { year, month, day };
}

export function isoDate(d: commonV1.LocalDate | null | undefined): string {
  if (!d || !d.year) return '';
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function suggestionToProto(s: Suggestion): dssV1.Suggestion {
  return {
    suggestionId: s.suggestionId,
    sku: s.sku,
    storeId: s.storeId,
    status: STATUS_TO_PROTO[s.status],
    policy: s.policy === 'periodic_review' ? dssV1.PolicyType.PERIODIC_REVIEW : dssV1.PolicyType.CONTINUOUS_REVIEW,
    orderQuantity: s.orderQuantity,
    reorderPoint: s.reorderPoint,
    safetyStock: s.safetyStock,
    orderUpToLevel: s.orderUpToLevel,
    economicOrderQuantity: s.economicOrderQuantity,
    inventoryPosition: s.inventoryPosition,
    onHand: s.onHand,
    onOrder: s.onOrder,
    daysOfCover: s.daysOfCover,
    stockoutProbability: s.stockoutProbability,
    expectedUnitsShort: s.expectedUnitsShort,
    excessUnits: s.excessUnits,
    excessValue: { amountMinor: s.excessValueMinor, currencyCode: s.currency },
    targetServiceLevel: s.targetServiceLevel,
    leadTimeDays: s.leadTimeDays,
    orderDate: localDate(s.orderDate),
    forecastId: s.forecastId ?? '',
    forecastModel: s.forecastModel,
    reasons: s.reasons.map((r) => ({ code: r.code, text: r.text, ruleId: r.ruleId ?? '' })),
    decision: s.decision
      ? {
          actor: s.decision.actor,
          decidedAt: toTimestamp(s.decision.decidedAt),
          reason: s.decision.reason,
          ...(s.decision.quantityOverride !== undefined ? { quantityOverride: s.decision.quantityOverride } : {}),
        }
      : null,
    computationId: s.computationId ?? '',
    computedAt: toTimestamp(s.computedAt),
    revision: s.revision,
  };
}

const AUDIT_TO_PROTO: Record<AuditEntry['action'], dssV1.AuditAction> = {
  proposed: dssV1.AuditAction.PROPOSED,
  accepted: dssV1.AuditAction.ACCEPTED,
  rejected: dssV1.AuditAction.REJECTED,
  superseded: dssV1.AuditAction.SUPERSEDED,
};

export function auditToProto(a: AuditEntry): dssV1.AuditEntry {
  return {
    action: AUDIT_TO_PROTO[a.action],
    actor: a.actor,
    at: toTimestamp(a.at),
    reason: a.reason,
    revision: a.revision,
  };
}

const DAYS = [
  dssV1.DayOfWeek.MONDAY,
  dssV1.DayOfWeek.TUESDAY,
  dssV1.DayOfWeek.WEDNESDAY,
  dssV1.DayOfWeek.THURSDAY,
  dssV1.DayOfWeek.FRIDAY,
  dssV1.DayOfWeek.SATURDAY,
  dssV1.DayOfWeek.SUNDAY,
];

export function scopeFromProto(s: dssV1.Scope | null | undefined): RuleScope {
  return {
    ...(s?.storeId ? { storeId: s.storeId.trim() } : {}),
    ...(s?.category ? { category: s.category.trim() } : {}),
    skus: (s?.skus ?? []).map((x) => x.trim()).filter(Boolean),
  };
}

export function scopeToProto(s: RuleScope): dssV1.Scope {
  return { storeId: s.storeId ?? '', category: s.category ?? '', skus: s.skus };
}

/** The rule's kind from the oneof; undefined when none is set. */
export function definitionFromProto(r: dssV1.Rule): RuleDefinition | undefined {
  if (r.discontinued) return { type: 'discontinued' };
  if (r.orderCap) return { type: 'order_cap', maxUnits: r.orderCap.maxUnits };
  if (r.stockFloor) return { type: 'stock_floor', minUnits: r.stockFloor.minUnits };
  if (r.demandUplift) {
    return {
      type: 'demand_uplift',
      startDate: isoDate(r.demandUplift.startDate),
      endDate: isoDate(r.demandUplift.endDate),
      factor: r.demandUplift.factor,
    };
  }
  if (r.supplierOrderDays) {
    return { type: 'supplier_order_days', days: r.supplierOrderDays.days.map((d) => DAYS.indexOf(d) + 1) };
  }
  return undefined;
}

export function ruleToProto(r: Rule): dssV1.Rule {
  const d = r.definition;
  return {
    ruleId: r.ruleId,
    revision: r.revision,
    name: r.name,
    scope: scopeToProto(r.scope),
    ...(d.type === 'discontinued' ? { discontinued: {} } : {}),
    ...(d.type === 'order_cap' ? { orderCap: { maxUnits: d.maxUnits } } : {}),
    ...(d.type === 'stock_floor' ? { stockFloor: { minUnits: d.minUnits } } : {}),
    ...(d.type === 'demand_uplift'
      ? { demandUplift: { startDate: localDate(d.startDate), endDate: localDate(d.endDate), factor: d.factor } }
      : {}),
    ...(d.type === 'supplier_order_days' ? { supplierOrderDays: { days: d.days.map((x) => DAYS[x - 1]) } } : {}),
    enabled: r.enabled,
    changedBy: r.changedBy,
    changedAt: toTimestamp(r.changedAt),
    changeReason: r.changeReason,
  };
}

export function supplyFromProto(p: commonV1.SupplyParameters, actor: string): SupplyParameters {
  return {
    sku: p.sku.trim(),
    storeId: p.storeId.trim(),
    leadTimeDays: p.leadTimeDays,
    leadTimeStdDays: p.leadTimeStdDays,
    unitCostMinor: p.unitCost?.amountMinor ?? 0,
    orderCostMinor: p.orderCost?.amountMinor ?? 0,
    holdingCostRate: p.holdingCostRate || undefined,
    currency: p.unitCost?.currencyCode ?? '',
    minOrderQty: p.minOrderQuantity,
    packSize: p.packSize || 1,
    serviceLevel: p.targetServiceLevel,
    reviewPeriodDays: p.reviewPeriodDays,
    updatedAt: new Date(),
    updatedBy: actor,
  };
}

export function supplyToProto(p: SupplyParameters): commonV1.SupplyParameters {
  return {
    sku: p.sku,
    storeId: p.storeId,
    leadTimeDays: p.leadTimeDays,
    leadTimeStdDays: p.leadTimeStdDays,
    unitCost: { amountMinor: p.unitCostMinor, currencyCode: p.currency },
    orderCost: { amountMinor: p.orderCostMinor, currencyCode: p.currency },
    holdingCostRate: p.holdingCostRate ?? 0,
    minOrderQuantity: p.minOrderQty,
    packSize: p.packSize,
    targetServiceLevel: p.serviceLevel,
    reviewPeriodDays: p.reviewPeriodDays,
    effectiveAt: toTimestamp(p.updatedAt),
  };
}

const FREQUENCIES: Readonly<Record<Frequency, dssV1.Frequency>> = {
  day: dssV1.Frequency.DAY,
  week: dssV1.Frequency.WEEK,
  month: dssV1.Frequency.MONTH,
};

/** UNSPECIFIED is the service default, daily. */
export function frequencyFromProto(f: dssV1.Frequency | string): Frequency {
  return (Object.entries(FREQUENCIES).find(([, p]) => p === f)?.[0] as Frequency | undefined) ?? 'day';
}

const DEMAND_CLASSES: Readonly<Record<string, dssV1.DemandClass>> = {
  smooth: dssV1.DemandClass.SMOOTH,
  erratic: dssV1.DemandClass.ERRATIC,
  intermittent: dssV1.DemandClass.INTERMITTENT,
  lumpy: dssV1.DemandClass.LUMPY,
};

const finiteOr0 = (x: number) => (Number.isFinite(x) ? x : 0);

export function forecastToProto(f: ForecastRecord, history: readonly HistoryPoint[]): dssV1.Forecast {
  return {
    forecastId: f.forecastId,
    sku: f.sku,
    storeId: f.storeId,
    frequency: FREQUENCIES[f.frequency],
    demandClass: DEMAND_CLASSES[f.demandClass] ?? dssV1.DemandClass.UNSPECIFIED,
    model: f.model,
    candidates: f.candidates.map((c) => ({
      model: c.model,
      mase: finiteOr0(c.mase),
      bias: finiteOr0(c.bias),
      // Interval coverage is measured for the chosen model only (on the holdout).
      intervalCoverage: c.model === f.model ? (f.accuracy?.coverage ?? 0) : 0,
    })),
    points: f.points.map((p) => ({
      periodStart: localDate(p.periodStart),
      mean: p.mean,
      quantiles: p.quantiles.map((q) => ({ quantile: q.quantile, value: q.value })),
    })),
    history: history.map((h) => ({
      periodStart: localDate(h.periodStart),
      quantity: h.quantity,
      censored: h.censored,
    })),
    computedAt: toTimestamp(f.computedAt),
  };
}

const COMPUTATION_STATES: Readonly<Record<ComputationState, dssV1.ComputationState>> = {
  pending: dssV1.ComputationState.PENDING,
  running: dssV1.ComputationState.RUNNING,
  succeeded: dssV1.ComputationState.SUCCEEDED,
  failed: dssV1.ComputationState.FAILED,
};

export function computationToProto(c: Computation): dssV1.Computation {
  return {
    computationId: c.computationId,
    scope: scopeToProto(c.scope),
    state: COMPUTATION_STATES[c.state],
    progress: { stage: c.stage, done: c.done, total: c.total, unitsPerSecond: c.unitsPerSecond },
    suggestionCount: c.suggestionCount,
    errorMessage: c.errorMessage,
    createdAt: toTimestamp(c.createdAt),
    finishedAt: c.finishedAt ? toTimestamp(c.finishedAt) : null,
  };
}

const REPORT_KINDS: Readonly<Record<string, ReportKind>> = {
  REPORT_KIND_OVERVIEW: 'overview',
  REPORT_KIND_ABC_XYZ: 'abc_xyz',
  REPORT_KIND_STOCKOUT_RISK: 'stockout_risk',
  REPORT_KIND_OVERSTOCK: 'overstock',
  REPORT_KIND_FORECAST_ACCURACY: 'forecast_accuracy',
};

export function reportKindFromProto(k: string): ReportKind {
  return REPORT_KINDS[k];
}

export function reportFormatFromProto(f: string): ReportFormat {
  return f === 'REPORT_FORMAT_CSV' ? 'csv' : f === 'REPORT_FORMAT_HTML' ? 'html' : 'json';
}
