import { readFileSync } from 'node:fs';

/*
 * Open-loop load for the serving benchmark, transport-agnostic: request k is due at start + k/rate,
 * whatever the earlier ones are doing, and its latency counts from that scheduled time, so queueing in
 * the load generator, the network stack or the service all show. A 1 ms timer drives it (spinning would
 * take a core from the services on a two-core machine); the send lag is reported separately.
 */

/** What one answer said, beyond arriving. */
export interface Outcome {
  /** Failure kind (status and message, numbers masked), or undefined for an answer. */
  error?: string;
  /** The answer was served degraded (a dependency missed, a fallback filled in). */
  degraded?: boolean;
  /** The answer carried a model id (personalised serving was possible). */
  withModel?: boolean;
  /** What the degraded answer said was missing (component: reason). */
  degradations?: string[];
}

export type Send = (index: number, done: (o: Outcome) => void) => void;

export interface StepResult {
  name: string;
  offeredPerSecond: number;
  requests: number;
  answers: number;
  errors: number;
  degraded: number;
  withoutModel: number;
  seconds: number;
  achievedPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  sendLagP99Ms: number;
  /** CPU of each process over the step, in cores (1 = one core busy all the time). */
  cpuCores: Record<string, number>;
  /** Share of the whole machine busy over the step (all processes, PostgreSQL included). */
  machineBusy: number;
  /**
   * Time the service itself spent per request over the step, from its own request-duration histogram
   * (/metrics): the exact mean, and p50/p99 interpolated within the histogram's buckets.
   */
  server?: ServerTimes;
  errorKinds: Record<string, number>;
  degradationKinds: Record<string, number>;
  /** Slowest answer per second of the step (by scheduled time), ms: shows whether the tail is steady or bursts. */
  maxMsPerSecond: number[];
  sustained: boolean;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Error kinds without the varying numbers (deadlines, addresses), so they group. */
export function errorKind(status: string, details: string): string {
  return `${status}: ${details
    .split(',')[0]
    .replace(/\d+(\.\d+)?/g, '#')
    .slice(0, 100)}`;
}

/** Clock ticks of a process (user + system), from /proc; 0 when it is gone. */
function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = cpu[3] + (cpu[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU used by the given processes and the whole machine between `start()` and `stop()`. */
export function cpuMeter(pids: Record<string, number>): () => () => { cores: Record<string, number>; busy: number } {
  const TICKS_PER_SECOND = 100;
  return () => {
    const t0 = performance.now();
    const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, processTicks(pid)]));
    const m0 = machineTicks();
    return () => {
      const seconds = (performance.now() - t0) / 1000;
      const m1 = machineTicks();
      const cores = Object.fromEntries(
        Object.entries(pids).map(([k, pid]) => [k, (processTicks(pid) - before[k]) / TICKS_PER_SECOND / seconds]),
      );
      return { cores, busy: (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total) };
    };
  };
}

export interface RawStep {
  latencies: Float64Array;
  answers: number;
  errors: Record<string, number>;
  degraded: number;
  degradationKinds: Record<string, number>;
  withoutModel: number;
  lag: Float64Array;
  maxMsPerSecond: number[];
  seconds: number;
}

export function openLoop(requests: number, rate: number, send: Send): Promise<RawStep> {
  const latencies = new Float64Array(requests);
  const lag = new Float64Array(requests);
  const errors: Record<string, number> = {};
  const degradationKinds: Record<string, number> = {};
  const maxMsPerSecond = new Array<number>(Math.ceil(requests / rate)).fill(0);
  let answers = 0;
  let degraded = 0;
  let withoutModel = 0;
  let finished = 0;
  return new Promise((resolve) => {
    const start = performance.now();
    let next = 0;
    const tick = () => {
      const now = performance.now();
      while (next < requests && start + (next * 1000) / rate <= now) {
        const i = next++;
        const scheduled = start + (i * 1000) / rate;
        lag[i] = performance.now() - scheduled;
        send(i, (o) => {
          if (o.error) errors[o.error] = (errors[o.error] ?? 0) + 1;
          else {
            const ms = performance.now() - scheduled;
            latencies[answers++] = ms;
            const second = Math.floor(i / rate);
            maxMsPerSecond[second] = Math.max(maxMsPerSecond[second], ms);
            if (o.degraded) degraded++;
            for (const d of o.degradations ?? []) degradationKinds[d] = (degradationKinds[d] ?? 0) + 1;
            if (!o.withModel) withoutModel++;
          }
          if (++finished === requests) {
            resolve({
              latencies: latencies.subarray(0, answers).sort(),
              answers,
              errors,
              degraded,
              degradationKinds,
              withoutModel,
              lag: lag.sort(),
              maxMsPerSecond: maxMsPerSecond.map((x) => Math.round(x * 10) / 10),
              seconds: (performance.now() - start) / 1000,
            });
          }
        });
      }
      if (next < requests) setTimeout(tick, 1);
    };
    tick();
  });
}

export interface ServerTimes {
  requests: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** Cumulative bucket counts (upper bound in seconds → count), sum and count of one histogram series. */
export interface HistogramSnapshot {
  buckets: Map<number, number>;
  sum: number;
  count: number;
}

/** The histogram `name` restricted to series whose labels include `labels`, from a /metrics body. */
export function histogramOf(text: string, name: string, labels: Record<string, string>): HistogramSnapshot {
  const snapshot: HistogramSnapshot = { buckets: new Map(), sum: 0, count: 0 };
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !wanted.every((w) => line.includes(w))) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${name}_bucket{`)) {
      const le = /le="([^"]+)"/.exec(line)![1];
      const bound = le === '+Inf' ? Infinity : Number(le);
      snapshot.buckets.set(bound, (snapshot.buckets.get(bound) ?? 0) + value);
    } else if (line.startsWith(`${name}_sum{`)) snapshot.sum += value;
    else if (line.startsWith(`${name}_count{`)) snapshot.count += value;
  }
  return snapshot;
}

/** What happened between two snapshots of one histogram, in milliseconds. */
export function serverTimes(before: HistogramSnapshot, after: HistogramSnapshot): ServerTimes | undefined {
  const count = after.count - before.count;
  if (count <= 0) return undefined;
  const bounds = [...after.buckets.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((b) => (after.buckets.get(b) ?? 0) - (before.buckets.get(b) ?? 0));
  const quantile = (q: number) => {
    const rank = q * count;
    for (let i = 0; i < bounds.length; i++) {
      if (cumulative[i] < rank) continue;
      const lower = i === 0 ? 0 : bounds[i - 1];
      const below = i === 0 ? 0 : cumulative[i - 1];
      const upper = Number.isFinite(bounds[i]) ? bounds[i] : lower;
      const inBucket = cumulative[i] - below;
      return 1000 * (lower + (upper - lower) * (inBucket > 0 ? (rank - below) / inBucket : 0));
    }
    return Number.NaN;
  };
  return {
    requests: count,
    meanMs: (1000 * (after.sum - before.sum)) / count,
    p50Ms: quantile(0.5),
    p99Ms: quantile(0.99),
  };
}
