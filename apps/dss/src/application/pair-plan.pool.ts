import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PairPlanTask, planPairs, PlanContext, PlanOutcome } from './pair-plan';
import type { PlanRequest } from './pair-plan.worker';

/** The compiled worker; absent when the sources run untranspiled (ts-jest), and then there is no pool. */
const WORKER_FILE = join(__dirname, 'pair-plan.worker.js');

/** Worker threads for a setting: 'auto' = one per available CPU, 0 = none (plan in the service thread). */
export function poolSize(setting: 'auto' | number): number {
  return setting === 'auto' ? availableParallelism() : setting;
}

interface Job {
  tasks: PairPlanTask[];
  ctx: PlanContext;
  resolve: (o: PlanOutcome[]) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending?: Job & { id: number };
}

/**
 * Long-lived worker threads that plan pairs (a fresh worker would pay module loading and JIT warm-up again).
 * A batch is cut into small chunks queued for whichever worker is free; outcomes come back in the tasks' order.
 * The queue is shared by every batch handed in, first come first served, so a caller can hand in the next batch
 * before the current one is done and no worker waits at the end of a batch.
 */
export class PairPlanPool {
  private readonly slots: Slot[];
  private nextId = 0;
  private broken?: Error;
  private readonly queue: Job[] = [];

  private constructor(size: number, spawn: () => Worker) {
    this.slots = Array.from({ length: size }, () => {
      const slot: Slot = { worker: spawn() };
      const fail = (err: Error) => {
        this.broken ??= err;
        slot.pending?.reject(err);
        slot.pending = undefined;
        for (const job of this.queue.splice(0)) job.reject(err);
      };
      slot.worker.on('message', (m: { id: number; outcomes: PlanOutcome[] }) => {
        const p = slot.pending;
        slot.pending = undefined;
        if (p && p.id === m.id) p.resolve(m.outcomes);
        this.pump();
      });
      slot.worker.on('error', fail);
      slot.worker.on('exit', (code) => fail(new Error(`a planning worker stopped (exit code ${code})`)));
      return slot;
    });
  }

  /**
   * A pool of `size` workers, or undefined when size is 0 or the compiled worker is not there. `spawn` starts a
   * worker some other way (a test runs the TypeScript sources).
   */
  static create(size: number, spawn?: () => Worker): PairPlanPool | undefined {
    if (size <= 0) return undefined;
    if (spawn) return new PairPlanPool(size, spawn);
    return existsSync(WORKER_FILE) ? new PairPlanPool(size, () => new Worker(WORKER_FILE)) : undefined;
  }

  get size(): number {
    return this.slots.length;
  }

  /** Whether a worker failed: the pool is then of no further use. */
  get healthy(): boolean {
    return this.broken === undefined;
  }

  async plan(tasks: PairPlanTask[], ctx: PlanContext): Promise<PlanOutcome[]> {
    if (this.broken) throw this.broken;
    const chunk = Math.max(1, Math.ceil(tasks.length / (this.slots.length * 4)));
    const results: Promise<PlanOutcome[]>[] = [];
    for (let i = 0; i < tasks.length; i += chunk) {
      const part = tasks.slice(i, i + chunk);
      results.push(new Promise((resolve, reject) => this.queue.push({ tasks: part, ctx, resolve, reject })));
    }
    this.pump();
    return (await Promise.all(results)).flat();
  }

  async close(): Promise<void> {
    this.broken ??= new Error('the planning pool is closed');
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  /** Hands queued chunks to the free workers. */
  private pump(): void {
    for (const slot of this.slots) {
      if (this.broken) {
        for (const job of this.queue.splice(0)) job.reject(this.broken);
        return;
      }
      if (slot.pending || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      const req: PlanRequest = { id: this.nextId++, tasks: job.tasks, ctx: job.ctx };
      slot.pending = { ...job, id: req.id };
      slot.worker.postMessage(req);
    }
  }
}

/** Plans in this thread: what the pool does, without the threads (tests, or DSS_COMPUTE_WORKERS=0). */
export function planInline(tasks: PairPlanTask[], ctx: PlanContext): PlanOutcome[] {
  return planPairs(tasks, ctx);
}
