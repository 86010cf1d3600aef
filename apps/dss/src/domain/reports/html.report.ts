import { formatMoneyMinor } from '../money';
import {
  AbcXyzSection,
  ForecastAccuracySection,
  GroupAccuracyRow,
  OverstockSection,
  ReportDocument,
  SkuChart,
  StockoutRiskRow,
} from './report.types';
import { escapeXml, skuChartSvg } from './svg.chart';

/**
 * The report as one HTML page a manager opens in a browser: summary cards, the tables and one chart per item.
 * Self-contained (inline CSS and SVG, no script, no external resource), so it works offline and as an e-mail
 * attachment. Written as well-formed XHTML-compatible markup (every element closed, attributes quoted).
 */

/** Rows shown per table; the CSV has them all. */
export const HTML_TABLE_ROWS = 200;

const e = escapeXml;
const pct = (p: number | null | undefined, digits = 1) =>
  p === null || p === undefined || !Number.isFinite(p) ? '–' : `${(p * 100).toFixed(digits)}%`;
const signedPct = (p: number | null | undefined) =>
  p === null || p === undefined || !Number.isFinite(p) ? '–' : `${p > 0 ? '+' : ''}${(p * 100).toFixed(1)}%`;
const num = (x: number | null | undefined, digits = 0) =>
  x === null || x === undefined || !Number.isFinite(x)
    ? '–'
    : x.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const cover = (days: number) => (days >= 9999 ? 'no demand' : num(days, 1));

interface Column<T> {
  head: string;
  cell: (row: T) => string;
  numeric?: boolean;
}

function table<T>(id: string, columns: Column<T>[], rows: readonly T[], rowClass?: (row: T) => string): string {
  const shown = rows.slice(0, HTML_TABLE_ROWS);
  const head = columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${e(c.head)}</th>`).join('');
  const body = shown
    .map((r) => {
      const cls = rowClass?.(r);
      return `<tr${cls ? ` class="${cls}"` : ''}>${columns.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${c.cell(r)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  const more =
    rows.length > shown.length
      ? `<p class="note">Showing the first ${shown.length} of ${rows.length} rows; the CSV export has them all.</p>`
      : '';
  const empty = rows.length === 0 ? `<p class="note">Nothing to show for this scope.</p>` : '';
  return `<table id="${id}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${more}${empty}`;
}

const itemCell = (sku: string, title: string) =>
  `<span class="sku">${e(sku)}</span>${title ? `<br/><span class="title">${e(title)}</span>` : ''}`;

function abcXyzHtml(a: AbcXyzSection): string {
  const cell = (abc: string, xyz: string) => a.matrix.find((c) => c.abc === abc && c.xyz === xyz)!;
  const matrix = ['A', 'B', 'C']
    .map(
      (abc) =>
        `<tr><th>${abc}</th>${['X', 'Y', 'Z']
          .map((xyz) => {
            const c = cell(abc, xyz);
            return `<td class="cell cell-${abc}${xyz}"><strong>${abc}${xyz}</strong><br/>${c.skus} item${c.skus === 1 ? '' : 's'}<br/>${e(formatMoneyMinor(c.revenueMinor, a.currency))}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  return `<section id="abc-xyz"><h2>ABC × XYZ classes</h2>
<p class="lead">Value (ABC): A items make up the first ${pct(a.thresholds.a, 0)} of revenue, B the next ${pct(a.thresholds.b - a.thresholds.a, 0)}, C the rest.
Variability (XYZ, coefficient of variation of weekly demand): X below ${a.thresholds.x}, Y below ${a.thresholds.y}, Z above.
Weeks of ${e(a.fromWeek)} to ${e(a.toWeek)}; revenue ${e(formatMoneyMinor(a.totalRevenueMinor, a.currency))}.</p>
<table class="matrix" id="abc-xyz-matrix"><thead><tr><th></th><th>X steady</th><th>Y variable</th><th>Z erratic</th></tr></thead><tbody>${matrix}</tbody></table>
${table(
  'abc-xyz-items',
  [
    { head: 'Item', cell: (r) => itemCell(r.sku, r.title) },
    { head: 'Store', cell: (r) => e(r.storeId) },
    { head: 'Class', cell: (r) => `<span class="badge badge-${r.abcXyz}">${r.abcXyz}</span>` },
    { head: 'Revenue', cell: (r) => e(formatMoneyMinor(r.revenueMinor, a.currency)), numeric: true },
    { head: 'Share', cell: (r) => pct(r.revenueShare), numeric: true },
    { head: 'Cumulative', cell: (r) => pct(r.cumulativeShare), numeric: true },
    { head: 'Units / week', cell: (r) => num(r.meanWeeklyUnits, 1), numeric: true },
    { head: 'CV', cell: (r) => (r.cv === null ? '–' : num(r.cv, 2)), numeric: true },
    { head: 'Weeks', cell: (r) => String(r.weeks), numeric: true },
  ],
  a.rows,
)}</section>`;
}

function riskHtml(rows: readonly StockoutRiskRow[]): string {
  return `<section id="stockout-risk"><h2>Stockout risk</h2>
<p class="lead">Open suggestions by the probability of running out before the next delivery can arrive. Order the suggested quantity to bring the risk back to the target.</p>
${table(
  'stockout-risk-items',
  [
    { head: 'Item', cell: (r) => itemCell(r.sku, r.title) },
    { head: 'Store', cell: (r) => e(r.storeId) },
    { head: 'Risk', cell: (r) => pct(r.stockoutProbability), numeric: true },
    { head: 'Units short', cell: (r) => num(r.expectedUnitsShort, 1), numeric: true },
    { head: 'Days of cover', cell: (r) => (r.stockKnown ? cover(r.daysOfCover) : '–'), numeric: true },
    {
      head: 'On hand',
      cell: (r) =>
        r.stockKnown ? num(r.onHand) : '<span class="warn" title="no stock position received">unknown</span>',
      numeric: true,
    },
    { head: 'On order', cell: (r) => num(r.onOrder), numeric: true },
    { head: 'Reorder point', cell: (r) => num(r.reorderPoint), numeric: true },
    { head: 'Safety stock', cell: (r) => num(r.safetyStock), numeric: true },
    {
      head: 'Order now',
      cell: (r) => (r.orderQuantity > 0 ? `<strong>${num(r.orderQuantity)}</strong>` : '0'),
      numeric: true,
    },
    { head: 'Order by', cell: (r) => e(r.orderDate) },
  ],
  rows,
  (r) => (r.stockoutProbability >= 0.5 ? 'high' : r.stockoutProbability >= 0.2 ? 'medium' : ''),
)}</section>`;
}

function overstockHtml(o: OverstockSection): string {
  const totals = o.totals.map(
    (t) => `${num(t.excessUnits)} units, ${e(formatMoneyMinor(t.excessValueMinor, t.currency))}`,
  );
  return `<section id="overstock"><h2>Overstock</h2>
<p class="lead">Stock above the order-up-to level: money tied up beyond what the service level needs.${totals.length > 0 ? ` In total: ${totals.join('; ')}.` : ''}</p>
${table(
  'overstock-items',
  [
    { head: 'Item', cell: (r) => itemCell(r.sku, r.title) },
    { head: 'Store', cell: (r) => e(r.storeId) },
    { head: 'Excess units', cell: (r) => num(r.excessUnits), numeric: true },
    { head: 'Excess value', cell: (r) => e(formatMoneyMinor(r.excessValueMinor, r.currency)), numeric: true },
    { head: 'On hand', cell: (r) => num(r.onHand), numeric: true },
    { head: 'Order-up-to', cell: (r) => num(r.orderUpToLevel), numeric: true },
    { head: 'Days of cover', cell: (r) => cover(r.daysOfCover), numeric: true },
  ],
  o.rows,
)}</section>`;
}

function accuracyHtml(a: ForecastAccuracySection): string {
  const groupColumns: Column<GroupAccuracyRow>[] = [
    { head: 'Category', cell: (r) => e(r.category) },
    { head: 'Items', cell: (r) => String(r.skus), numeric: true },
    { head: 'Mean MASE', cell: (r) => num(r.meanMase, 2), numeric: true },
    { head: 'Median MASE', cell: (r) => num(r.medianMase, 2), numeric: true },
    { head: 'Bias', cell: (r) => signedPct(r.bias), numeric: true },
    { head: '80% interval coverage', cell: (r) => pct(r.coverage), numeric: true },
  ];
  return `<section id="forecast-accuracy"><h2>Forecast accuracy</h2>
<p class="lead">Each item's chosen model, fitted without its last ${a.holdoutDays} days, then compared with what sold. MASE below 1 beats the seasonal naive forecast; bias above zero means forecasts were too high; about 80% of days should fall inside the 10–90% range.</p>
<h3>By category</h3>
${table('forecast-accuracy-categories', groupColumns, [...a.byCategory, a.overall], (r) => (r.category === '(all)' ? 'total' : ''))}
<h3>By item (worst first)</h3>
${table(
  'forecast-accuracy-items',
  [
    { head: 'Item', cell: (r) => itemCell(r.sku, r.title) },
    { head: 'Store', cell: (r) => e(r.storeId) },
    { head: 'Model', cell: (r) => e(r.model) },
    { head: 'Demand', cell: (r) => e(r.demandClass) },
    { head: 'MASE', cell: (r) => num(r.mase, 2), numeric: true },
    { head: 'Bias', cell: (r) => signedPct(r.bias), numeric: true },
    { head: 'Coverage', cell: (r) => pct(r.coverage), numeric: true },
    { head: 'Days scored', cell: (r) => String(r.scoredPeriods), numeric: true },
  ],
  a.bySku,
)}</section>`;
}

function chartsHtml(charts: readonly SkuChart[]): string {
  if (charts.length === 0) return '';
  const figures = charts
    .map((c) => {
      const s = c.suggestion;
      const facts = s
        ? [
            s.orderQuantity > 0 ? `<strong>order ${num(s.orderQuantity)} now</strong>` : 'no order now',
            `risk ${pct(s.stockoutProbability)}`,
            `reorder point ${num(s.reorderPoint)}`,
            `safety stock ${num(s.safetyStock)}`,
            s.stockKnown ? `position ${num(s.inventoryPosition)}` : '<span class="warn">stock unknown</span>',
          ].join(' · ')
        : 'no suggestion yet';
      return `<figure class="chart"><figcaption><span class="sku">${e(c.sku)}</span> ${e(c.title)} <span class="store">· store ${e(c.storeId)}</span><br/><span class="facts">${facts}${c.model ? ` · forecast: ${e(c.model)}` : ''}</span></figcaption>${skuChartSvg(c)}</figure>`;
    })
    .join('\n');
  return `<section id="charts"><h2>Item charts</h2><div class="charts">\n${figures}\n</div></section>`;
}

function cards(doc: ReportDocument): string {
  const items: [string, string][] = [];
  if (doc.stockoutRisk) {
    const high = doc.stockoutRisk.rows.filter((r) => r.stockoutProbability >= 0.2).length;
    items.push([String(high), 'items with a stockout risk of 20% or more']);
    items.push([String(doc.stockoutRisk.rows.filter((r) => r.orderQuantity > 0).length), 'items to order now']);
  }
  if (doc.overstock) {
    items.push([
      doc.overstock.totals.map((t) => formatMoneyMinor(t.excessValueMinor, t.currency)).join(' + ') || '0',
      'tied up in excess stock',
    ]);
  }
  if (doc.abcXyz) {
    const ax = doc.abcXyz.matrix.find((c) => c.abc === 'A' && c.xyz === 'X')!;
    items.push([String(ax.skus), 'AX items (high value, steady demand)']);
  }
  if (doc.forecastAccuracy) items.push([num(doc.forecastAccuracy.overall.meanMase, 2), 'mean forecast MASE']);
  if (items.length === 0) return '';
  return `<section class="cards">${items.map(([v, l]) => `<div class="card"><div class="value">${e(v)}</div><div class="label">${e(l)}</div></div>`).join('')}</section>`;
}

const STYLE = `
body{font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#222;margin:0;background:#f6f7f9}
main{max-width:1200px;margin:0 auto;padding:24px}
header h1{margin:0 0 4px;font-size:26px}
header p{margin:0;color:#555}
h2{margin:32px 0 8px;font-size:20px;border-bottom:2px solid #dde;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.lead{color:#444;max-width:900px}
.note{color:#666;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:18px}
.card{background:#fff;border:1px solid #dde;border-radius:8px;padding:12px 16px;min-width:180px}
.card .value{font-size:24px;font-weight:600}
.card .label{color:#555;font-size:13px}
table{border-collapse:collapse;background:#fff;font-size:13px;width:100%;margin:8px 0}
th,td{border-bottom:1px solid #e4e4ea;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef0f4;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#fafbfc}
tr.high td{background:#fde2e1}
tr.medium td{background:#fff1d6}
tr.total td{font-weight:600;border-top:2px solid #ccd}
.sku{font-weight:600;font-family:ui-monospace,Menlo,Consolas,monospace}
.title{color:#555}
.warn{color:#b35900;font-weight:600}
table.matrix{width:auto}
table.matrix td.cell{width:150px;text-align:center;padding:10px}
.cell-AX,.cell-AY,.cell-BX{background:#d8efd8}
.cell-AZ,.cell-BY,.cell-CX{background:#fff4cf}
.cell-BZ,.cell-CY,.cell-CZ{background:#f6dede}
.badge{display:inline-block;padding:1px 6px;border-radius:4px;background:#eef0f4;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}
figure.chart{margin:0;background:#fff;border:1px solid #dde;border-radius:8px;padding:10px}
figure.chart figcaption{font-size:13px;margin-bottom:4px}
figure.chart .store{color:#666}
figure.chart .facts{color:#444}
footer{color:#777;font-size:12px;margin-top:32px}
@media print{body{background:#fff}.charts{grid-template-columns:1fr 1fr}}
`;

export function reportToHtml(doc: ReportDocument, charts: readonly SkuChart[]): string {
  const scope = [
    doc.scope.storeId ? `store ${doc.scope.storeId}` : 'all stores',
    doc.scope.category ? `category ${doc.scope.category}` : '',
    doc.scope.skus.length > 0 ? `${doc.scope.skus.length} selected SKUs` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const generated = doc.generatedAt.slice(0, 16).replace('T', ' ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>${e(doc.title)} – ${e(scope)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header><h1>${e(doc.title)}</h1><p>${e(scope)} · generated ${e(generated)} UTC</p></header>
${cards(doc)}
${doc.stockoutRisk ? riskHtml(doc.stockoutRisk.rows) : ''}
${doc.overstock ? overstockHtml(doc.overstock) : ''}
${doc.abcXyz ? abcXyzHtml(doc.abcXyz) : ''}
${doc.forecastAccuracy ? accuracyHtml(doc.forecastAccuracy) : ''}
${chartsHtml(charts)}
<footer>Figures from the decision-support service. Suggestions stay proposals until a person accepts or rejects them.</footer>
</main>
</body>
</html>
`;
}
