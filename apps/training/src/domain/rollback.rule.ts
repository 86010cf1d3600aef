import type { ModelVersion } from './model-version';

export type RollbackChoice =
  { ok: true; target: ModelVersion } | { ok: false; kind: 'not_found' | 'precondition'; code: string; message: string };

/**
 * Which model a rollback restores: the one asked for, if it is older than the current champion (any earlier
 * version, promoted before or not); otherwise the champion before the current one (the latest promoted model
 * that is no longer champion).
 */
export function chooseRollbackTarget(
  models: readonly ModelVersion[],
  champion: ModelVersion | undefined,
  requestedId?: string,
): RollbackChoice {
  if (!champion) {
    return { ok: false, kind: 'precondition', code: 'MODEL.NO_CHAMPION', message: 'There is no champion to roll back' };
  }
  if (requestedId) {
    const target = models.find((m) => m.modelId === requestedId);
    if (!target) return { ok: false, kind: 'not_found', code: 'MODEL.NOT_FOUND', message: `No model ${requestedId}` };
    if (target.modelId === champion.modelId) {
      return {
        ok: false,
        kind: 'precondition',
        code: 'MODEL.ALREADY_CHAMPION',
        message: `${requestedId} is the champion`,
      };
    }
    if (target.version > champion.version) {
      return {
        ok: false,
        kind: 'precondition',
        code: 'MODEL.NOT_EARLIER',
        message: `Version ${target.version} is newer than the champion (version ${champion.version}); promote it instead`,
      };
    }
    return { ok: true, target };
  }
  const previous = models
    .filter((m) => m.modelId !== champion.modelId && m.promotedAt !== undefined)
    .sort((a, b) => b.promotedAt!.getTime() - a.promotedAt!.getTime() || b.version - a.version)[0];
  if (!previous) {
    return {
      ok: false,
      kind: 'precondition',
      code: 'MODEL.NO_PREVIOUS_CHAMPION',
      message: 'No earlier champion to roll back to; name a model_id',
    };
  }
  return { ok: true, target: previous };
}
