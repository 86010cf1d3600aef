import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { AppName } from '@app/platform/config/platform.config';
import { REPO_ROOT } from '@app/testing';

/** Variables of the test's own environment that would steer a service; the test sets what it wants. */
const STEERING = /^(DATABASE_.*|NATS_.*|NODE_ENV|LOG_LEVEL|BIND_HOST|HTTP_PORT|GRPC_PORT|.*_GRPC_URL|OTEL_.*)$/;

export const builtMain = (app: AppName) => join('dist', 'apps', app, 'src', 'main.js');

/** One built service (`node dist/apps/<app>/src/main.js`) as a child process, with everything it printed. */
export class ServiceProcess {
  private readonly child: ChildProcess;
  private readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private text = '';

  constructor(
    readonly app: AppName,
    readonly httpUrl: string,
    env: Record<string, string>,
  ) {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !STEERING.test(key)));
    this.child = spawn(process.execPath, [join(REPO_ROOT, builtMain(app))], {
      cwd: REPO_ROOT,
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.text += chunk.toString('utf8')));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.text += chunk.toString('utf8')));
    this.exit = new Promise((resolve) => this.child.once('close', (code, signal) => resolve({ code, signal })));
  }

  get output(): string {
    return this.text;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Until GET /health/ready answers 200; fails with the service's output if it exits or takes too long. */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.app} exited before it was ready:\n${this.text}`);
      const status = await fetch(`${this.httpUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error(`${this.app} not ready after ${timeoutMs} ms:\n${this.text}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The process's pid, for signals. */
  get pid(): number {
    return this.child.pid!;
  }

  /** SIGKILL: the process dies mid-work, as in a node failure. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }

  /** Sends SIGTERM and resolves with how the process ended (without forcing it). */
  async terminated(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill('SIGTERM');
    return this.exit;
  }

  /** SIGTERM (a graceful drain, which also flushes the spans still batched), SIGKILL if it overstays. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const overstayed = new Promise<'overstayed'>((resolve) => {
      timer = setTimeout(() => resolve('overstayed'), timeoutMs);
    });
    if ((await Promise.race([this.exit, overstayed])) === 'overstayed') {
      this.child.kill('SIGKILL');
      await this.exit;
    }
    clearTimeout(timer);
  }
}
