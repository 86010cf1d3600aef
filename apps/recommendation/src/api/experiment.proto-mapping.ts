import { recommendationV1 } from '@app/contracts';
import { toTimestamp } from '@app/contracts/grpc';
import { FieldViolation, ValidationError } from '@app/platform/errors';
import { ExperimentResults } from '../application/experiment.service';
import { Experiment, ExperimentInput, ExperimentState } from '../domain/experiment';
import { Estimate } from '../domain/experiment-stats';
import { StrategyName } from '../domain/serving.types';

/*
 * Experiments between the wire (gRPC messages, and their proto-JSON form over REST) and the domain.
 * Field names in violations are the proto's (`experiment.variants[1].traffic_bps`) on both transports.
 */

const { Strategy, ExperimentState: ProtoState } = recommendationV1;

const STRATEGY_FROM_PROTO: Readonly<Record<string, StrategyName>> = {
  [Strategy.UNSPECIFIED]: 'default',
  [Strategy.SESSION_ITEM_TO_ITEM]: 'session_item_to_item',
  [Strategy.TRENDING]: 'trending',
  [Strategy.POPULAR]: 'popular',
};

const STRATEGY_TO_PROTO: Readonly<Record<StrategyName, recommendationV1.Strategy>> = {
  default: Strategy.UNSPECIFIED,
  session_item_to_item: Strategy.SESSION_ITEM_TO_ITEM,
  trending: Strategy.TRENDING,
  popular: Strategy.POPULAR,
};

const STATE_TO_PROTO: Readonly<Record<ExperimentState, recommendationV1.ExperimentState>> = {
  draft: ProtoState.DRAFT,
  running: ProtoState.RUNNING,
  stopped: ProtoState.STOPPED,
};

/** Proto enum name, its short form (`trending`), or the numbers gRPC sends for values it does not know. */
function enumKey(value: unknown, prefix: string): string | undefined {
  if (value === undefined || value === null || value === '' || value === 0) return `${prefix}UNSPECIFIED`;
  if (typeof value !== 'string') return undefined;
  const upper = value.toUpperCase();
  return upper.startsWith(prefix) ? upper : `${prefix}${upper}`;
}

export function strategyFromProto(value: unknown): StrategyName | undefined {
  const k = enumKey(value, 'STRATEGY_');
  return k === undefined ? undefined : k === 'STRATEGY_DEFAULT' ? 'default' : STRATEGY_FROM_PROTO[k];
}

export function strategyToProto(s: StrategyName): recommendationV1.Strategy {
  return STRATEGY_TO_PROTO[s];
}

/** A state filter: undefined for UNSPECIFIED (any state). */
export function stateFilterFromProto(value: unknown, field = 'state'): ExperimentState | undefined {
  const k = enumKey(value, 'EXPERIMENT_STATE_');
  if (k === 'EXPERIMENT_STATE_UNSPECIFIED') return undefined;
  const state = (Object.keys(STATE_TO_PROTO) as ExperimentState[]).find((s) => STATE_TO_PROTO[s] === k);
  if (!state) throw new ValidationError([{ field, message: 'must be DRAFT, RUNNING or STOPPED' }]);
  return state;
}

/**
 * The domain input from a proto Experiment, with the problems only the transport can see (missing
 * message, unknown enum value) as violations to report together with the domain's.
 */
export function experimentInputFromProto(e: recommendationV1.Experiment | null | undefined): {
  input: ExperimentInput;
  violations: FieldViolation[];
} {
  const violations: FieldViolation[] = [];
  if (!e) violations.push({ field: 'experiment', message: 'is required' });
  const input: ExperimentInput = {
    id: e?.experimentId ?? '',
    name: e?.name ?? '',
    description: e?.description ?? '',
    placements: e?.placements ?? [],
    variants: (e?.variants ?? []).map((v, i) => {
      const strategy = strategyFromProto(v.treatment?.strategy);
      if (!strategy) {
        violations.push({
          field: `experiment.variants[${i}].treatment.strategy`,
          message: 'must be UNSPECIFIED, SESSION_ITEM_TO_ITEM, TRENDING or POPULAR',
        });
      }
      return {
        id: v.variantId ?? '',
        description: v.description ?? '',
        trafficBps: v.trafficBps ?? 0,
        treatment: {
          modelId: v.treatment?.modelId || undefined,
          strategy: strategy ?? 'default',
          diversity: v.treatment?.diversity ?? undefined,
        },
      };
    }),
  };
  return { input, violations };
}

export function experimentToProto(e: Experiment): recommendationV1.Experiment {
  return {
    experimentId: e.id,
    name: e.name,
    description: e.description,
    placements: [...e.placements],
    variants: e.variants.map((v) => ({
      variantId: v.id,
      description: v.description,
      trafficBps: v.trafficBps,
      treatment: {
        modelId: v.treatment.modelId ?? '',
        strategy: strategyToProto(v.treatment.strategy),
        ...(v.treatment.diversity !== undefined ? { diversity: v.treatment.diversity } : {}),
      },
    })),
    state: STATE_TO_PROTO[e.state],
    createdAt: toTimestamp(e.createdAt),
    startedAt: e.startedAt ? toTimestamp(e.startedAt) : null,
    stoppedAt: e.stoppedAt ? toTimestamp(e.stoppedAt) : null,
  };
}

/** Intervals of empty variants can be infinite; the wire gets finite numbers only. */
function estimate(e: Estimate): recommendationV1.Estimate {
  const finite = (x: number) => (Number.isFinite(x) ? x : x > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE);
  return { value: finite(e.value), lower: finite(e.lower), upper: finite(e.upper) };
}

export function resultsToProto(r: ExperimentResults): recommendationV1.GetExperimentResultsResponse {
  return {
    experiment: experimentToProto(r.experiment),
    computedAt: toTimestamp(r.computedAt),
    variants: r.variants.map((v) => ({
      variantId: v.variantId,
      assigned: v.assigned,
      impressions: v.impressions,
      clicks: v.clicks,
      conversions: v.conversions,
      revenue: v.currency ? { amountMinor: v.revenueMinor, currencyCode: v.currency } : null,
      ctr: estimate(v.ctr),
      conversionRate: estimate(v.conversionRate),
      revenuePerImpression: estimate(v.revenuePerImpression),
      comparisons: v.comparisons.map((c) => ({
        metric: c.metric,
        lift: c.lift ? estimate(c.lift) : null,
        pValue: c.pValue,
        significant: c.significant,
      })),
    })),
  };
}

// ------------------------------------------------------------------ proto JSON (REST)

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads an Experiment in proto-JSON form (camelCase, or the proto's own snake_case names). */
export function experimentFromJson(body: unknown, violations: FieldViolation[]): recommendationV1.Experiment | null {
  if (!isObject(body)) {
    violations.push({ field: 'experiment', message: 'must be a JSON object' });
    return null;
  }
  const read = <T>(o: Json, camel: string, snake: string, at: string, kind: string, fallback: T): T => {
    const v = o[camel] ?? o[snake];
    if (v === undefined || v === null) return fallback;
    const ok = kind === 'array' ? Array.isArray(v) : kind === 'object' ? isObject(v) : typeof v === kind;
    if (!ok) {
      violations.push({ field: `${at}${snake}`, message: `must be ${kind === 'array' ? 'an' : 'a'} ${kind}` });
      return fallback;
    }
    return v as T;
  };
  const strings = (list: unknown[], at: string): string[] =>
    list.map((s, i) => {
      if (typeof s === 'string') return s;
      violations.push({ field: `${at}[${i}]`, message: 'must be a string' });
      return '';
    });
  const root = 'experiment.';
  return {
    experimentId: read(body, 'experimentId', 'experiment_id', root, 'string', ''),
    name: read(body, 'name', 'name', root, 'string', ''),
    description: read(body, 'description', 'description', root, 'string', ''),
    placements: strings(read<unknown[]>(body, 'placements', 'placements', root, 'array', []), `${root}placements`),
    variants: read<unknown[]>(body, 'variants', 'variants', root, 'array', []).map((raw, i) => {
      const at = `${root}variants[${i}].`;
      const v = isObject(raw)
        ? raw
        : (violations.push({ field: `${root}variants[${i}]`, message: 'must be an object' }), {});
      const t = read<Json>(v, 'treatment', 'treatment', at, 'object', {});
      const diversity = read<number | undefined>(t, 'diversity', 'diversity', `${at}treatment.`, 'number', undefined);
      return {
        variantId: read(v, 'variantId', 'variant_id', at, 'string', ''),
        description: read(v, 'description', 'description', at, 'string', ''),
        trafficBps: read(v, 'trafficBps', 'traffic_bps', at, 'number', 0),
        treatment: {
          modelId: read(t, 'modelId', 'model_id', `${at}treatment.`, 'string', ''),
          strategy: (t.strategy ?? Strategy.UNSPECIFIED) as recommendationV1.Strategy,
          ...(diversity !== undefined ? { diversity } : {}),
        },
      };
    }),
    state: ProtoState.UNSPECIFIED,
  };
}

/** Proto JSON: timestamps as RFC 3339 strings, unset messages left out. */
export function toJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJson);
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 2 && typeof value.seconds === 'number' && typeof value.nanos === 'number') {
      return new Date(value.seconds * 1000 + Math.round(value.nanos / 1e6)).toISOString();
    }
    return Object.fromEntries(
      keys.filter((k) => value[k] !== null && value[k] !== undefined).map((k) => [k, toJson(value[k])]),
    );
  }
  return value;
}
