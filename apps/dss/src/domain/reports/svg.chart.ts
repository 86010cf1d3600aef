import { SkuChart } from './report.types';

/**
 * One item's chart as inline SVG, self-contained (presentation attributes, no CSS or script needed), two panels
 * on one time axis:
 * - demand per day: the last weeks of sales (stock-out days circled: true demand was higher), the forecast mean and
 *   its 10–90% band;
 * - stock: the closing stock reported each day, then the projected stock (inventory position minus the forecast
 *   demand, never below zero) if nothing is ordered and with the suggested order arriving after the lead time (with
 *   its 10–90% band), against the reorder point and the safety stock.
 */

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const COLORS = {
  history: '#3b3b3b',
  censored: '#d62728',
  forecast: '#1f6fb5',
  band: '#cfe3f7',
  stock: '#555555',
  projection: '#7a5195',
  projectionBand: '#e9e1f3',
  withOrder: '#2e8b57',
  orderBand: '#d5eedf',
  reorderPoint: '#d62728',
  safetyStock: '#e68a00',
  grid: '#e3e3e3',
  axis: '#888888',
  text: '#333333',
};

const W = 640;
const LEFT = 52;
const RIGHT = 132;
const DEMAND = { top: 30, height: 120 };
const STOCK = { top: 190, height: 104 };
const H = 330;

/** A round upper bound for an axis: 1, 2, 2.5 or 5 × 10^k. */
export function niceMax(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (x <= m * p + 1e-9) return m * p;
  return 10 * p;
}

const fmt = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1));
const px = (v: number) => (Math.round(v * 10) / 10).toString();

function shortDate(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return `${d.getUTCDate()} ${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]}`;
}

function polyline(points: [number, number][], color: string, extra = ''): string {
  if (points.length === 0) return '';
  return `<polyline fill="none" stroke="${color}" stroke-width="1.8" stroke-linejoin="round" ${extra}points="${points
    .map(([x, y]) => `${px(x)},${px(y)}`)
    .join(' ')}"/>`;
}

function band(upper: [number, number][], lower: [number, number][], color: string): string {
  if (upper.length === 0) return '';
  const pts = [...upper, ...[...lower].reverse()].map(([x, y]) => `${px(x)},${px(y)}`).join(' ');
  return `<polygon fill="${color}" stroke="none" points="${pts}"/>`;
}

/** Tick values for an axis from `min` to about `max`: a round step (1, 2, 2.5 or 5 × 10^k), about `count` steps. */
export function niceTicks(min: number, max: number, count = 4): number[] {
  const step = niceMax(Math.max(max - min, 1e-9) / count);
  const ticks: number[] = [];
  for (let t = Math.floor(min / step) * step; t < max + step - 1e-9; t += step) ticks.push(Math.round(t * 1e6) / 1e6);
  return ticks;
}

function axis(ticks: readonly number[], y: (v: number) => number): string {
  return ticks
    .map(
      (t) =>
        `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${px(y(t))}" y2="${px(y(t))}" stroke="${t === 0 ? COLORS.axis : COLORS.grid}" stroke-width="1"/>` +
        `<text x="${LEFT - 6}" y="${px(y(t) + 4)}" text-anchor="end" font-size="11" fill="${COLORS.text}">${fmt(t)}</text>`,
    )
    .join('');
}

function legend(items: { label: string; color: string; kind: 'line' | 'dash' | 'box' | 'dot' }[], top: number): string {
  const x = W - RIGHT + 12;
  return items
    .map((item, i) => {
      const y = top + 8 + i * 16;
      const mark =
        item.kind === 'box'
          ? `<rect x="${x}" y="${y - 6}" width="16" height="10" fill="${item.color}"/>`
          : item.kind === 'dot'
            ? `<circle cx="${x + 8}" cy="${y - 1}" r="3.5" fill="none" stroke="${item.color}" stroke-width="1.5"/>`
            : `<line x1="${x}" x2="${x + 16}" y1="${y - 1}" y2="${y - 1}" stroke="${item.color}" stroke-width="2"${item.kind === 'dash' ? ' stroke-dasharray="5 3"' : ''}/>`;
      return `${mark}<text x="${x + 22}" y="${y + 3}" font-size="11" fill="${COLORS.text}">${escapeXml(item.label)}</text>`;
    })
    .join('');
}

export function skuChartSvg(chart: SkuChart): string {
  const nHist = chart.history.length;
  const nFc = chart.forecast.length;
  const n = Math.max(2, nHist + nFc);
  const x = (i: number) => LEFT + (i / (n - 1)) * (W - LEFT - RIGHT);
  const fx = (j: number) => x(nHist + j);
  const todayX = x(Math.max(0, nHist - 0.5));
  const parts: string[] = [];

  // Demand per day.
  const dTicks = niceTicks(
    0,
    Math.max(1, ...chart.history.map((h) => h.units), ...chart.forecast.map((f) => Math.max(f.high, f.mean))),
  );
  const dMax = dTicks[dTicks.length - 1];
  const yD = (v: number) => DEMAND.top + DEMAND.height * (1 - Math.max(0, v) / dMax);
  parts.push(
    `<text x="${LEFT}" y="${DEMAND.top - 12}" font-size="12" font-weight="600" fill="${COLORS.text}">Demand per day</text>`,
  );
  parts.push(axis(dTicks, yD));
  parts.push(
    band(
      chart.forecast.map((f, j) => [fx(j), yD(f.high)]),
      chart.forecast.map((f, j) => [fx(j), yD(f.low)]),
      COLORS.band,
    ),
  );
  parts.push(
    polyline(
      chart.forecast.map((f, j) => [fx(j), yD(f.mean)]),
      COLORS.forecast,
      'stroke-dasharray="5 3" ',
    ),
  );
  parts.push(
    polyline(
      chart.history.map((h, i) => [x(i), yD(h.units)]),
      COLORS.history,
    ),
  );
  for (const [i, h] of chart.history.entries()) {
    if (h.censored) {
      parts.push(
        `<circle cx="${px(x(i))}" cy="${px(yD(h.units))}" r="3.5" fill="none" stroke="${COLORS.censored}" stroke-width="1.5"/>`,
      );
    }
  }
  parts.push(
    legend(
      [
        { label: 'sales', color: COLORS.history, kind: 'line' },
        { label: 'stock-out day', color: COLORS.censored, kind: 'dot' },
        { label: 'forecast', color: COLORS.forecast, kind: 'dash' },
        { label: '10–90% range', color: COLORS.band, kind: 'box' },
      ],
      DEMAND.top,
    ),
  );

  // Stock.
  parts.push(
    `<text x="${LEFT}" y="${STOCK.top - 12}" font-size="12" font-weight="600" fill="${COLORS.text}">Stock (units)</text>`,
  );
  const s = chart.suggestion;
  // Projections start from the inventory position (stock + on order) and never go below zero: an empty shelf.
  const arrives = (j: number) => (s && s.orderQuantity > 0 && j + 1 >= s.leadTimeDays ? s.orderQuantity : 0);
  const project = (j: number, cum: number, withOrder: boolean) =>
    Math.max(0, s!.inventoryPosition + (withOrder ? arrives(j) : 0) - cum);
  const noOrder = s ? chart.forecast.map((f, j) => project(j, f.cumMean, false)) : [];
  const withOrder = s ? chart.forecast.map((f, j) => project(j, f.cumMean, true)) : [];
  const withOrderLow = s ? chart.forecast.map((f, j) => project(j, f.cumHigh, true)) : [];
  const withOrderHigh = s ? chart.forecast.map((f, j) => project(j, f.cumLow, true)) : [];
  const reported = chart.history.map((h, i) => [i, h.onHand] as const).filter(([, v]) => v !== undefined) as [
    number,
    number,
  ][];
  const sTicks = niceTicks(
    0,
    Math.max(1, ...reported.map(([, v]) => v), ...(s ? [s.reorderPoint, s.inventoryPosition, ...withOrderHigh] : [])),
  );
  const sMax = sTicks[sTicks.length - 1];
  const yS = (v: number) => STOCK.top + STOCK.height * (1 - Math.max(0, v) / sMax);
  parts.push(axis(sTicks, yS));
  const ordering = !!s && s.orderQuantity > 0;
  if (s && chart.forecast.length > 0) {
    const start: [number, number] = [todayX, yS(s.inventoryPosition)];
    const path = (values: number[]) => [start, ...values.map((v, j): [number, number] => [fx(j), yS(v)])];
    parts.push(band(path(withOrderHigh), path(withOrderLow), ordering ? COLORS.orderBand : COLORS.projectionBand));
    if (ordering) parts.push(polyline(path(noOrder), COLORS.projection, 'stroke-dasharray="5 3" '));
    parts.push(polyline(path(withOrder), ordering ? COLORS.withOrder : COLORS.projection));
  }
  // Reported closing stock: lines between consecutive days, a dot for a lone report.
  let run: [number, number][] = [];
  const flush = () => {
    if (run.length === 1) {
      parts.push(`<circle cx="${px(x(run[0][0]))}" cy="${px(yS(run[0][1]))}" r="2.5" fill="${COLORS.stock}"/>`);
    } else
      parts.push(
        polyline(
          run.map(([i, v]) => [x(i), yS(v)]),
          COLORS.stock,
        ),
      );
    run = [];
  };
  for (const point of reported) {
    if (run.length > 0 && point[0] !== run[run.length - 1][0] + 1) flush();
    run.push(point);
  }
  if (run.length > 0) flush();
  const labels: { y: number; text: string; color: string }[] = [];
  if (s) {
    const line = (v: number, color: string, dash: string) =>
      `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${px(yS(v))}" y2="${px(yS(v))}" stroke="${color}" stroke-width="1.5" stroke-dasharray="${dash}"/>`;
    parts.push(line(s.reorderPoint, COLORS.reorderPoint, '6 3'));
    parts.push(line(s.safetyStock, COLORS.safetyStock, '2 3'));
    labels.push({ y: yS(s.reorderPoint), text: `reorder point ${fmt(s.reorderPoint)}`, color: COLORS.reorderPoint });
    labels.push({ y: yS(s.safetyStock), text: `safety stock ${fmt(s.safetyStock)}`, color: COLORS.safetyStock });
    if (labels[1].y - labels[0].y < 13) labels[1].y = labels[0].y + 13;
  } else {
    parts.push(
      `<text x="${(LEFT + W - RIGHT) / 2}" y="${STOCK.top + STOCK.height / 2}" text-anchor="middle" font-size="12" fill="${COLORS.axis}">no suggestion computed yet</text>`,
    );
  }
  for (const l of labels) {
    parts.push(
      `<text x="${W - RIGHT + 6}" y="${px(l.y + 4)}" font-size="11" fill="${l.color}">${escapeXml(l.text)}</text>`,
    );
  }
  // The legend goes below the line labels, or above them when they sit low.
  const stockLegend = [
    { label: 'stock reported', color: COLORS.stock, kind: 'line' as const },
    ...(ordering
      ? [
          { label: 'with this order', color: COLORS.withOrder, kind: 'line' as const },
          { label: 'if no order', color: COLORS.projection, kind: 'dash' as const },
        ]
      : s
        ? [{ label: 'projected', color: COLORS.projection, kind: 'line' as const }]
        : []),
  ];
  const lowest = Math.max(STOCK.top - 8, ...labels.map((l) => l.y));
  const legendTop =
    lowest + 10 + stockLegend.length * 16 <= STOCK.top + STOCK.height + 8
      ? lowest + 8
      : Math.min(...labels.map((l) => l.y)) - 10 - stockLegend.length * 16;
  parts.push(legend(stockLegend, legendTop));

  // Time axis and today.
  parts.push(
    `<line x1="${px(todayX)}" x2="${px(todayX)}" y1="${DEMAND.top - 4}" y2="${STOCK.top + STOCK.height}" stroke="${COLORS.axis}" stroke-width="1" stroke-dasharray="2 2"/>`,
  );
  const xLabels: [number, string, string][] = [];
  if (nHist > 0) xLabels.push([x(0), shortDate(chart.history[0].day), 'start']);
  xLabels.push([todayX, 'today', 'middle']);
  if (nFc > 0) xLabels.push([fx(nFc - 1), shortDate(chart.forecast[nFc - 1].day), 'end']);
  for (const [lx, text, anchor] of xLabels) {
    parts.push(
      `<text x="${px(lx)}" y="${STOCK.top + STOCK.height + 18}" text-anchor="${anchor}" font-size="11" fill="${COLORS.text}">${escapeXml(text)}</text>`,
    );
  }

  const label = `${chart.sku} at ${chart.storeId}: demand history and forecast, stock against the reorder point`;
  const id = `chart-${chart.storeId}-${chart.sku}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="sku-chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-labelledby="${id}" data-sku="${escapeXml(chart.sku)}" data-store="${escapeXml(chart.storeId)}">` +
    `<title id="${id}">${escapeXml(label)}</title>` +
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>` +
    parts.join('') +
    `</svg>`
  );
}
