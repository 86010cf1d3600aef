import { ADI_CUTOFF, candidatesFor, classifyDemand, CV2_CUTOFF } from './demand.classifier';

describe(classifyDemand.name, () => {
  it('uses the Syntetos-Boylan cut-offs 1.32 and 0.49', () => {
    expect(ADI_CUTOFF).toBe(1.32);
    expect(CV2_CUTOFF).toBe(0.49);
  });

  it('classifies the four quadrants', () => {
    expect(classifyDemand([5, 6, 5, 4, 5, 6]).demandClass).toBe('smooth');
    expect(classifyDemand([1, 20, 2, 30, 1, 15]).demandClass).toBe('erratic');
    expect(classifyDemand([0, 0, 5, 0, 0, 6, 0, 0, 5]).demandClass).toBe('intermittent');
    expect(classifyDemand([0, 0, 1, 0, 0, 40, 0, 0, 3]).demandClass).toBe('lumpy');
    expect(classifyDemand([0, 0, 0]).demandClass).toBe('no_demand');
  });

  it('computes ADI as periods per demand and CV² of the non-zero sizes, ignoring NaN (censored) periods', () => {
    const c = classifyDemand([0, 4, Number.NaN, 0, 6, 0]);
    expect(c.adi).toBeCloseTo(5 / 2, 12);
    expect(c.cv2).toBeCloseTo(2 / 25, 12); // sizes 4 and 6: sample variance 2, mean 5
    expect(c.periods).toBe(5);
  });
});

describe(candidatesFor.name, () => {
  it('routes intermittent and lumpy series to the intermittent-demand models only', () => {
    for (const cls of ['intermittent', 'lumpy'] as const) {
      const c = candidatesFor(cls);
      expect(c).toEqual(expect.arrayContaining(['croston', 'sba', 'tsb', 'adida']));
      expect(c).not.toContain('ets');
      expect(c).not.toContain('holt_winters_additive');
    }
    expect(candidatesFor('smooth')).toEqual(expect.arrayContaining(['ets', 'theta', 'seasonal_naive']));
    expect(candidatesFor('smooth')).not.toContain('croston');
    expect(candidatesFor('no_demand')).toEqual(['zero']);
  });
});
