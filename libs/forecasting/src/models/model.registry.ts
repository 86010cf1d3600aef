import {
  autoEtsModel,
  holtModel,
  holtWintersAdditiveModel,
  holtWintersMultiplicativeModel,
  sesModel,
} from './ets.model';
import { adidaModel, crostonModel, sbaModel, tsbModel } from './intermittent.models';
import { ForecastModel, ModelName } from './model.types';
import { movingAverageModel } from './moving-average.model';
import { naiveModel, seasonalNaiveModel, zeroModel } from './naive.model';
import { thetaModel } from './theta.model';

const REGISTRY: Readonly<Record<ModelName, ForecastModel>> = {
  naive: naiveModel,
  seasonal_naive: seasonalNaiveModel,
  moving_average: movingAverageModel(),
  ses: sesModel,
  holt: holtModel,
  holt_winters_additive: holtWintersAdditiveModel,
  holt_winters_multiplicative: holtWintersMultiplicativeModel,
  ets: autoEtsModel,
  theta: thetaModel,
  croston: crostonModel(),
  sba: sbaModel(),
  tsb: tsbModel(),
  adida: adidaModel,
  zero: zeroModel,
};

/** The default-configured model for a name. */
export function modelByName(name: ModelName): ForecastModel {
  return REGISTRY[name];
}
