import { decidePromotion } from './promotion.rule';

describe(decidePromotion.name, () => {
  const champion = { modelId: 'm-old', value: 0.4 };

  it('promotes the first model', () => {
    const d = decidePromotion({ metric: 'ndcg@10', challengerValue: 0.1, margin: 0.01 });
    expect(d).toMatchObject({ promoted: true, eventReason: 'first_model', championValue: 0, previousChampionId: '' });
  });

  it('promotes a challenger that beats the champion by the margin, and says by how much', () => {
    const d = decidePromotion({ metric: 'ndcg@10', challengerValue: 0.412, champion, margin: 0.01 });
    expect(d).toMatchObject({
      promoted: true,
      eventReason: 'beat_champion',
      championValue: 0.4,
      previousChampionId: 'm-old',
    });
    expect(d.reason).toBe('ndcg@10 0.412 beats champion 0.400 by 3% (margin 1%)');
  });

  it('keeps the champion when the challenger is better but within the margin', () => {
    const d = decidePromotion({ metric: 'ndcg@10', challengerValue: 0.403, champion, margin: 0.01 });
    expect(d.promoted).toBe(false);
    expect(d.reason).toContain('does not beat champion 0.400 by the margin 1%');
  });

  it('promotes exactly at the margin, never on a tie, never when worse', () => {
    expect(
      decidePromotion({ metric: 'ndcg', challengerValue: 0.5, champion: { modelId: 'c', value: 0.25 }, margin: 1 })
        .promoted,
    ).toBe(true);
    expect(decidePromotion({ metric: 'ndcg', challengerValue: 0.4, champion, margin: 0 }).promoted).toBe(false);
    expect(decidePromotion({ metric: 'ndcg', challengerValue: 0.3, champion, margin: 0 }).promoted).toBe(false);
  });

  it('lets any positive score beat a champion that scored 0', () => {
    const d = decidePromotion({
      metric: 'ndcg',
      challengerValue: 0.01,
      champion: { modelId: 'z', value: 0 },
      margin: 0.5,
    });
    expect(d.promoted).toBe(true);
  });

  it('promotes on force whatever the numbers, and the reason says it was forced', () => {
    const d = decidePromotion({ metric: 'ndcg@10', challengerValue: 0.2, champion, margin: 0.01, force: true });
    expect(d).toMatchObject({ promoted: true, eventReason: 'manual' });
    expect(d.reason).toMatch(/^forced: .*does not beat/);
  });
});
