/**
 * Inventory policies, framework-free: (s, Q) and (R, S) replenishment with service-level or fill-rate safety stock,
 * EOQ, newsvendor, rounding, and planner rules evaluated as pure data. Entry points: `suggestReplenishment`,
 * `suggestWithRules`, `demandFromForecast`.
 */
export * from './policy/compound.demand';
export * from './policy/demand.distribution';
export * from './policy/empirical.demand';
export * from './policy/forecast.adapter';
export * from './policy/inventory.math';
export * from './policy/outcome.allocation';
export * from './policy/replenishment.policy';
export * from './policy/replenishment.types';
export * from './policy/service.allocation';
export * from './rules/rule.types';
export * from './rules/rules.engine';
