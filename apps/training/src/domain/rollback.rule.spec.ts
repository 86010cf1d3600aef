import { aModelVersion } from '../../test/training.builders';
import { chooseRollbackTarget } from './rollback.rule';

describe(chooseRollbackTarget.name, () => {
  const v1 = aModelVersion({ modelId: 'm1', version: 1, status: 'retired', promotedAt: new Date('2026-01-01') });
  const v2 = aModelVersion({ modelId: 'm2', version: 2, status: 'rejected' });
  const v3 = aModelVersion({ modelId: 'm3', version: 3, status: 'retired', promotedAt: new Date('2026-02-01') });
  const v4 = aModelVersion({ modelId: 'm4', version: 4, status: 'champion', promotedAt: new Date('2026-03-01') });
  const v5 = aModelVersion({ modelId: 'm5', version: 5, status: 'registered' });
  const all = [v1, v2, v3, v4, v5];

  it('restores the champion before the current one by default', () => {
    expect(chooseRollbackTarget(all, v4)).toEqual({ ok: true, target: v3 });
  });

  it('restores any earlier version when named, promoted before or not', () => {
    expect(chooseRollbackTarget(all, v4, 'm1')).toEqual({ ok: true, target: v1 });
    expect(chooseRollbackTarget(all, v4, 'm2')).toEqual({ ok: true, target: v2 });
  });

  it('refuses the champion itself, a newer version, an unknown id, and when there is no champion', () => {
    expect(chooseRollbackTarget(all, v4, 'm4')).toMatchObject({ ok: false, code: 'MODEL.ALREADY_CHAMPION' });
    expect(chooseRollbackTarget(all, v4, 'm5')).toMatchObject({ ok: false, code: 'MODEL.NOT_EARLIER' });
    expect(chooseRollbackTarget(all, v4, 'nope')).toMatchObject({ ok: false, kind: 'not_found' });
    expect(chooseRollbackTarget(all, undefined)).toMatchObject({ ok: false, code: 'MODEL.NO_CHAMPION' });
    expect(chooseRollbackTarget([v4], v4)).toMatchObject({ ok: false, code: 'MODEL.NO_PREVIOUS_CHAMPION' });
  });
});
