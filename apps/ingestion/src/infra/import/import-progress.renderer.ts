export interface ImportProgress {
  bytesRead: number;
  fileSize: number;
  rows: number;
  elapsedMs: number;
  accepted: number;
  duplicates: number;
  quarantined: number;
  skipped: number;
}

/**
 * One progress line for the import CLI, e.g.
 * `[############------------------]  40.0% | 216,764 rows | 108,382 rows/s | accepted 210,000 · duplicates 0 · quarantined 12 · skipped 6,752 | ETA 0:03`.
 * The ETA extrapolates bytes per second; without a rate yet it shows `--:--`.
 */
export function renderProgress(p: ImportProgress, width = 30): string {
  const fraction = p.fileSize > 0 ? clamp(p.bytesRead / p.fileSize) : 0;
  const barWidth = Math.max(1, Math.floor(width));
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const percent = `${(fraction * 100).toFixed(1)}%`.padStart(6);
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(p.rows / seconds) : 0;
  const counts =
    `accepted ${group(p.accepted)} · duplicates ${group(p.duplicates)} · ` +
    `quarantined ${group(p.quarantined)} · skipped ${group(p.skipped)}`;
  const eta = fraction > 0 && seconds > 0 ? duration((seconds * (1 - fraction)) / fraction) : '--:--';
  return `${bar} ${percent} | ${group(p.rows)} rows | ${group(rate)} rows/s | ${counts} | ETA ${eta}`;
}

function clamp(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/** 1234567 -> "1,234,567" (fixed, whatever the machine's locale). */
function group(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Seconds as m:ss, or h:mm:ss from an hour on. */
function duration(totalSeconds: number): string {
  const s = Math.ceil(totalSeconds);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}
