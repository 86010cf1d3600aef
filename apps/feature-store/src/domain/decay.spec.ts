import { addDecayed, decayedAt, emptyDecayed } from './decay';

const H = 3_600_000;

describe('decayed sums', () => {
  it('halves a contribution every half-life', () => {
    const d = emptyDecayed();
    addDecayed(d, 8, 0, H);
    expect(decayedAt(d, H, H)).toBeCloseTo(4, 12);
    expect(decayedAt(d, 3 * H, H)).toBeCloseTo(1, 12);
    expect(decayedAt(d, -H, H)).toBe(8); // never grows before its last contribution
  });

  it('gives the same value whatever order contributions arrive in', () => {
    const contributions: [number, number][] = [
      [1, 0],
      [5, 7 * H],
      [3, 2 * H],
      [1, 30 * H],
    ];
    const forward = emptyDecayed();
    for (const [w, t] of contributions) addDecayed(forward, w, t, 24 * H);
    const backward = emptyDecayed();
    for (const [w, t] of [...contributions].reverse()) addDecayed(backward, w, t, 24 * H);
    const expected = contributions.reduce((a, [w, t]) => a + w * Math.pow(2, -(40 * H - t) / (24 * H)), 0);
    expect(decayedAt(forward, 40 * H, 24 * H)).toBeCloseTo(expected, 10);
    expect(decayedAt(backward, 40 * H, 24 * H)).toBeCloseTo(expected, 10);
  });
});
