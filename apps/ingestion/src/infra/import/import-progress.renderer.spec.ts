import { renderProgress } from './import-progress.renderer';

const base = {
  bytesRead: 0,
  fileSize: 1000,
  rows: 0,
  elapsedMs: 0,
  accepted: 0,
  duplicates: 0,
  quarantined: 0,
  skipped: 0,
};

describe(renderProgress.name, () => {
  it('draws the bar, percent, rate, counts and ETA on one line', () => {
    const line = renderProgress(
      {
        bytesRead: 400,
        fileSize: 1000,
        rows: 216_764,
        elapsedMs: 2000,
        accepted: 210_000,
        duplicates: 3,
        quarantined: 12,
        skipped: 6_749,
      },
      10,
    );
    expect(line).toBe(
      '[####------]  40.0% | 216,764 rows | 108,382 rows/s | ' +
        'accepted 210,000 · duplicates 3 · quarantined 12 · skipped 6,749 | ETA 0:03',
    );
    expect(line).not.toContain('\n');
  });

  it('shows an unknown ETA before any progress, and a full bar at the end', () => {
    expect(renderProgress(base, 4)).toBe(
      '[----]   0.0% | 0 rows | 0 rows/s | accepted 0 · duplicates 0 · quarantined 0 · skipped 0 | ETA --:--',
    );
    expect(renderProgress({ ...base, bytesRead: 1000, rows: 10, elapsedMs: 1000 }, 4)).toMatch(
      /^\[####\] 100\.0% \| 10 rows \| 10 rows\/s .* ETA 0:00$/,
    );
  });

  it('uses a 30-character bar by default and hours in long ETAs', () => {
    const line = renderProgress({ ...base, bytesRead: 1, fileSize: 1000, elapsedMs: 10_000 });
    expect(line.startsWith(`[#${'-'.repeat(29)}]`)).toBe(false); // 0.1% rounds to an empty bar
    expect(line.startsWith(`[${'-'.repeat(30)}]`)).toBe(true);
    expect(line.endsWith('ETA 2:46:30')).toBe(true);
  });

  it('copes with an empty file and overshooting byte counts', () => {
    expect(renderProgress({ ...base, fileSize: 0 }, 4)).toContain('[----]   0.0%');
    expect(renderProgress({ ...base, bytesRead: 5000, elapsedMs: 1 }, 4)).toContain('[####] 100.0%');
  });
});
