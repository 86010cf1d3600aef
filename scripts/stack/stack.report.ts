/** What the launcher tells the user once the stack is up, or why it is not. Pure text. */

export interface ReadyRow {
  readonly app: string;
  readonly httpUrl: string;
  readonly grpcAddress: string;
  /** From the app's start to both health checks passing. */
  readonly readyMs: number;
}

export interface ReadyReport {
  readonly rows: readonly ReadyRow[];
  /** From the launcher's start to the last app ready. */
  readonly totalMs: number;
  readonly postgres: string;
  readonly nats: string;
  readonly logs?: string;
}

/** The line tests and scripts wait for. */
export const READY_MARKER = 'Stack ready in';

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function formatReadyReport(report: ReadyReport): string {
  const table = formatTable(
    ['app', 'HTTP', 'gRPC', 'ready after'],
    report.rows.map((r) => [r.app, r.httpUrl, r.grpcAddress, formatDuration(r.readyMs)]),
  );
  return [
    '',
    ...table.map((l) => `  ${l}`),
    '',
    `  PostgreSQL  ${report.postgres}`,
    `  NATS        ${report.nats}`,
    ...(report.logs ? [`  Logs        ${report.logs}`] : []),
    '',
    `${READY_MARKER} ${formatDuration(report.totalMs)}. Press Ctrl-C to stop.`,
    '',
  ].join('\n');
}

export interface NotReadyApp {
  readonly app: string;
  readonly reason: string;
  readonly lastLines: readonly string[];
}

export function formatNotReady(timeoutMs: number, apps: readonly NotReadyApp[]): string {
  const parts = [
    `Not ready after ${formatDuration(timeoutMs)} (STACK_READY_TIMEOUT_MS): ${apps.map((a) => a.app).join(', ')}`,
  ];
  for (const app of apps) {
    parts.push(`  ${app.app}: ${app.reason}`);
    if (app.lastLines.length > 0) {
      parts.push(`  last lines of ${app.app}:`, ...app.lastLines.map((l) => `    ${l}`));
    } else {
      parts.push(`  ${app.app} printed nothing`);
    }
  }
  return parts.join('\n');
}
