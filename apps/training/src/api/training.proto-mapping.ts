import { commonV1, trainingV1 } from '@app/contracts';
import { toTimestamp } from '@app/contracts/grpc';
import type { ModelStatus, ModelVersion } from '../domain/model-version';
import type {
  CandidateResult,
  CandidateSpec,
  DataWindow,
  EvaluationSpec,
  MetricValue,
  ParamValue,
  PromotionDecision,
  Run,
  RunState,
  RunTrigger,
  SplitMethod,
} from '../domain/run';

const ts = (d: Date | undefined) => (d ? toTimestamp(d) : null);

const SPLITS: [trainingV1.SplitStrategy, SplitMethod][] = [
  [trainingV1.SplitStrategy.RANDOM_USER, 'random-user'],
  [trainingV1.SplitStrategy.STRATIFIED_USER, 'stratified-user'],
  [trainingV1.SplitStrategy.STRATIFIED_ITEM, 'stratified-item'],
  [trainingV1.SplitStrategy.TEMPORAL, 'temporal'],
  [trainingV1.SplitStrategy.LEAVE_LAST_OUT, 'leave-last-out'],
];

export function splitFromProto(s: trainingV1.SplitStrategy): SplitMethod | undefined {
  return SPLITS.find(([p]) => p === s)?.[1];
}

export function splitToProto(s: SplitMethod): trainingV1.SplitStrategy {
  return SPLITS.find(([, d]) => d === s)?.[0] ?? trainingV1.SplitStrategy.UNSPECIFIED;
}

const RUN_STATES: Record<RunState, trainingV1.RunState> = {
  pending: trainingV1.RunState.PENDING,
  running: trainingV1.RunState.RUNNING,
  succeeded: trainingV1.RunState.SUCCEEDED,
  failed: trainingV1.RunState.FAILED,
  cancelled: trainingV1.RunState.CANCELLED,
};

export function runStateFromProto(s: trainingV1.RunState): RunState | undefined {
  return (Object.keys(RUN_STATES) as RunState[]).find((k) => RUN_STATES[k] === s);
}

const TRIGGERS: Record<RunTrigger, trainingV1.RunTrigger> = {
  manual: trainingV1.RunTrigger.MANUAL,
  schedule: trainingV1.RunTrigger.SCHEDULE,
  new_data: trainingV1.RunTrigger.NEW_DATA,
};

/** The API has no "rolled back": a champion replaced by a rollback is a former champion, like a retired one. */
const MODEL_STATUSES: Record<ModelStatus, trainingV1.ModelStatus> = {
  registered: trainingV1.ModelStatus.CANDIDATE,
  champion: trainingV1.ModelStatus.CHAMPION,
  retired: trainingV1.ModelStatus.RETIRED,
  rolled_back: trainingV1.ModelStatus.RETIRED,
  rejected: trainingV1.ModelStatus.REJECTED,
};

export function modelStatusFromProto(s: trainingV1.ModelStatus): ModelStatus | undefined {
  switch (s) {
    case trainingV1.ModelStatus.CANDIDATE:
      return 'registered';
    case trainingV1.ModelStatus.CHAMPION:
      return 'champion';
    case trainingV1.ModelStatus.RETIRED:
      return 'retired';
    case trainingV1.ModelStatus.REJECTED:
      return 'rejected';
    default:
      return undefined;
  }
}

export function paramsToProto(params: Record<string, ParamValue>): Record<string, trainingV1.ParamValue> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [
      k,
      typeof v === 'number' ? { numberValue: v } : typeof v === 'boolean' ? { boolValue: v } : { stringValue: v },
    ]),
  );
}

export function paramsFromProto(params: Record<string, trainingV1.ParamValue>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v.numberValue !== undefined && v.numberValue !== null) out[k] = v.numberValue;
    else if (v.stringValue !== undefined && v.stringValue !== null) out[k] = v.stringValue;
    else if (v.boolValue !== undefined && v.boolValue !== null) out[k] = v.boolValue;
  }
  return out;
}

export function candidateToProto(c: CandidateSpec): trainingV1.CandidateSpec {
  return { algorithm: c.algorithm, params: paramsToProto(c.params), tuningBudgetSeconds: c.tuningBudgetSeconds };
}

export function evaluationToProto(e: EvaluationSpec): trainingV1.EvaluationSpec {
  return {
    split: splitToProto(e.split),
    trainRatio: e.trainRatio,
    seed: e.seed,
    k: e.k,
    primaryMetric: e.primaryMetric,
  };
}

export function windowToProto(w: DataWindow): trainingV1.DataWindow {
  return {
    windowStart: ts(w.windowStart),
    asOf: ts(w.asOf),
    snapshotId: w.snapshotId,
    interactionCount: w.interactionCount,
    userCount: w.userCount,
    itemCount: w.itemCount,
  };
}

const metricsToProto = (m: MetricValue[]): trainingV1.Metric[] =>
  m.map((x) => ({ name: x.name, k: x.k, value: x.value }));

function resultToProto(r: CandidateResult): trainingV1.CandidateResult {
  return {
    spec: candidateToProto(r.spec),
    modelId: r.modelId,
    metrics: metricsToProto(r.metrics),
    errorMessage: r.errorMessage,
  };
}

export function decisionToProto(d: PromotionDecision): trainingV1.PromotionDecision {
  return {
    promoted: d.promoted,
    reason: d.reason,
    metric: d.metric,
    challengerValue: d.challengerValue,
    championValue: d.championValue,
    margin: d.margin,
    previousChampionId: d.previousChampionId,
  };
}

export function runToProto(r: Run): trainingV1.Run {
  return {
    runId: r.runId,
    state: RUN_STATES[r.state],
    trigger: TRIGGERS[r.trigger],
    requestedBy: r.requestedBy,
    candidates: r.spec.candidates.map(candidateToProto),
    evaluation: evaluationToProto(r.spec.evaluation),
    dataWindow: r.dataWindow
      ? windowToProto(r.dataWindow)
      : {
          windowStart: ts(r.spec.trainingSet.windowStart),
          asOf: ts(r.spec.trainingSet.asOf),
          snapshotId: '',
          interactionCount: 0,
          userCount: 0,
          itemCount: 0,
        },
    progress: { ...r.progress },
    results: r.results.map(resultToProto),
    promotion: r.promotion ? decisionToProto(r.promotion) : null,
    resumeCount: r.resumeCount,
    errorMessage: r.errorMessage,
    createdAt: ts(r.createdAt),
    startedAt: ts(r.startedAt),
    finishedAt: ts(r.finishedAt),
  };
}

export function modelToProto(m: ModelVersion): trainingV1.Model {
  return {
    modelId: m.modelId,
    version: m.version,
    algorithm: m.algorithm,
    params: paramsToProto(m.params),
    dataWindow: windowToProto(m.dataWindow),
    evaluation: evaluationToProto(m.evaluation),
    holdoutId: m.holdoutId,
    metrics: metricsToProto(m.metrics),
    status: MODEL_STATUSES[m.status],
    artifact: { ...m.artifact },
    runId: m.runId,
    fitSeconds: m.fitSeconds,
    createdAt: ts(m.createdAt),
    promotedAt: ts(m.promotedAt),
  };
}

/** Weights as the feature store expects them (proto enum names). */
export function weightsFromProto(weights: commonV1.InteractionWeight[]): { type: string; weight: number }[] {
  return weights.map((w) => ({ type: w.type, weight: w.weight }));
}
