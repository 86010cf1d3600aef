import { parentPort } from 'node:worker_threads';
import { PairPlanTask, planPairs, PlanContext } from './pair-plan';

/** A worker thread of the computation pool: plans the pairs it is sent, one message per chunk. */
export interface PlanRequest {
  id: number;
  tasks: PairPlanTask[];
  ctx: PlanContext;
}

parentPort?.on('message', (req: PlanRequest) => {
  parentPort?.postMessage({ id: req.id, outcomes: planPairs(req.tasks, req.ctx) });
});
