/** Number formatting for planner-facing sentences: rates with one decimal below 10, whole units otherwise. */
export function formatRate(x: number): string {
  if (!Number.isFinite(x)) return '∞';
  return Math.abs(x) >= 10 ? String(Math.round(x)) : (Math.round(x * 10) / 10).toString();
}

export function formatUnits(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x)) : '∞';
}

export function formatPercent(p: number): string {
  const v = p * 100;
  if (v > 0 && v < 1) return '<1%';
  return `${Number.isInteger(Math.round(v * 10) / 10) ? Math.round(v) : (Math.round(v * 10) / 10).toString()}%`;
}

export function formatMoney(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en-GB') : x.toFixed(2);
}
