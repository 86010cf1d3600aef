import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { TEST_NATS_URL } from '@app/testing';
import { repoRoot } from './dss/bench.util';

/*
 * The services a benchmark runs: built, as separate processes, stopped the way Kubernetes stops them.
 */

/** Starts the built service `dist/apps/<app>/src/main.js` (next to this built benchmark) with its env. */
export function spawnService(app: string, env: Record<string, string>, nodeArgs: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, join(__dirname, '..', 'apps', app, 'src', 'main.js')], {
    cwd: repoRoot(),
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      BIND_HOST: '127.0.0.1',
      NATS_URL: TEST_NATS_URL,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** Node arguments for the services from BENCH_SERVICE_NODE_ARGS (e.g. `--cpu-prof`). */
export function serviceNodeArgs(): string[] {
  return (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/** Waits until `url` answers 2xx, failing early if the service exits. */
export async function waitHttp(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    const ok = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`service not ready at ${url}`);
}

/** SIGTERM, then waits for the exit. */
export async function stopService(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
