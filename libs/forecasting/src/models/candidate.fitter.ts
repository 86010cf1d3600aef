import {
  etsCandidateSpecs,
  EtsFit,
  EtsSpec,
  etsSupports,
  fitEts,
  fitEtsFamily,
  specFromLabel,
  toFittedModel,
} from './ets.model';
import { modelByName } from './model.registry';
import { FitContext, FittedModel, ModelName } from './model.types';

/** The fixed ETS specification behind each named exponential-smoothing method. */
export const ETS_METHOD_SPECS: Partial<Record<ModelName, EtsSpec>> = {
  ses: { error: 'A', trend: 'N', season: 'N' },
  holt: { error: 'A', trend: 'Ad', season: 'N' },
  holt_winters_additive: { error: 'A', trend: 'A', season: 'A' },
  holt_winters_multiplicative: { error: 'M', trend: 'A', season: 'M' },
};

const sameSpec = (a: EtsSpec, b: EtsSpec): boolean =>
  a.error === b.error && a.trend === b.trend && a.season === b.season;

/** Whether the named model can be fitted on y. */
export function supportsModel(name: ModelName, y: ArrayLike<number>, context: FitContext): boolean {
  return modelByName(name).supports(y, context);
}

/**
 * Fits several models on the same data, fitting each ETS specification once: SES, Holt, Holt-Winters and the
 * automatic ETS share the same fits (the automatic one is the lowest AICc among all of them). Models that do not
 * support the data are left out of the result.
 */
export function fitCandidates(
  names: readonly ModelName[],
  y: ArrayLike<number>,
  context: FitContext,
): Map<ModelName, FittedModel> {
  const out = new Map<ModelName, FittedModel>();
  const wantsAuto = names.includes('ets');
  const specs: EtsSpec[] = wantsAuto ? etsCandidateSpecs() : [];
  for (const name of names) {
    const spec = ETS_METHOD_SPECS[name];
    if (spec && !specs.some((s) => sameSpec(s, spec))) specs.push(spec);
  }
  const family: EtsFit[] = specs.length > 0 ? fitEtsFamily(y, context.period, specs) : [];
  for (const name of names) {
    if (out.has(name)) continue;
    if (name === 'ets') {
      if (family.length > 0) out.set('ets', toFittedModel(family[0], 'ets'));
      continue;
    }
    const spec = ETS_METHOD_SPECS[name];
    if (spec) {
      const fit = family.find((f) => sameSpec(f.spec, spec));
      if (fit) out.set(name, toFittedModel(fit, name));
      continue;
    }
    const model = modelByName(name);
    if (model.supports(y, context)) out.set(name, model.fit(y, context));
  }
  return out;
}

/**
 * Refits a model chosen by backtest on the full history. For the automatic ETS the specification chosen on the
 * backtest's training window is kept and only re-estimated (one fit instead of fifteen); if it no longer applies,
 * the full automatic search runs.
 */
export function refit(chosen: FittedModel, y: ArrayLike<number>, context: FitContext): FittedModel {
  if (chosen.name === 'ets') {
    const spec = specFromLabel(chosen.label);
    if (spec && etsSupports(spec, y, context.period)) return toFittedModel(fitEts(y, spec, context.period), 'ets');
  }
  return fitCandidates([chosen.name], y, context).get(chosen.name) ?? modelByName('naive').fit(y, context);
}

/**
 * The same model (parameters frozen) carried forward over a longer series: its states absorb y[n_fit..], which is
 * what a refit would mostly change when the extra data is a small share of the history.
 */
export function extendFitted(fit: FittedModel, y: ArrayLike<number>): FittedModel {
  const n = y.length;
  return {
    ...fit,
    n,
    forecast: (h) => fit.forecastAt(y, [n], h)[0],
  };
}
