import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { LineTail } from './log-lines';

export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Run as another user (embedded PostgreSQL refuses to run as root). */
  readonly uid?: number;
  readonly gid?: number;
  readonly onLine: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES…). */
  readonly error?: Error;
}

export interface StopOptions {
  /** The signal that asks for a clean stop: SIGTERM for apps and NATS, SIGINT (fast shutdown) for PostgreSQL. */
  readonly signal?: NodeJS.Signals;
  /** Send the signal to the process only, not to its whole group (PostgreSQL stops its own children). */
  readonly leaderOnly?: boolean;
  readonly timeoutMs: number;
}

export interface StopResult extends ExitStatus {
  /** True when the process outlived the timeout and was killed. */
  readonly killed: boolean;
}

export function describeExit(status: ExitStatus): string {
  if (status.error) return `could not start: ${status.error.message}`;
  if (status.signal) return `was killed by ${status.signal}`;
  return `exited with code ${status.code}`;
}

/**
 * One child process in its own process group. Its own group means Ctrl-C in the terminal reaches
 * only the launcher, which then stops the children in order, and a stop reaches anything the child
 * started itself.
 */
export class ManagedProcess {
  readonly exited: Promise<ExitStatus>;
  private status?: ExitStatus;
  private readonly tail = new LineTail();

  constructor(
    readonly spec: ProcessSpec,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      const finish = (status: ExitStatus) => {
        if (this.status) return;
        this.status = status;
        resolve(status);
      };
      child.once('error', (error) => {
        if (child.pid === undefined) finish({ code: null, signal: null, error });
      });
      // 'close' rather than 'exit': by then every line it printed has been read.
      child.once('close', (code, signal) => finish({ code, signal }));
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const input = child[stream];
      if (!input) continue;
      createInterface({ input, crlfDelay: Infinity }).on('line', (line) => {
        this.tail.push(line);
        spec.onLine(line, stream);
      });
    }
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.status !== undefined || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  lastLines(n: number): string[] {
    return this.tail.last(n);
  }

  /** Sends a signal to the process group (default) or the process alone; false if it is gone. */
  signal(signal: NodeJS.Signals, leaderOnly = false): boolean {
    const pid = this.child.pid;
    if (pid === undefined || this.hasExited) return false;
    try {
      process.kill(leaderOnly ? pid : -pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** Asks the process to stop, waits up to the timeout, then kills its whole group. */
  async stop(options: StopOptions): Promise<StopResult> {
    if (this.hasExited) return { ...(await this.exited), killed: false };
    this.signal(options.signal ?? 'SIGTERM', options.leaderOnly);
    const status = await withTimeout(this.exited, options.timeoutMs);
    if (status) {
      this.killStragglers();
      return { ...status, killed: false };
    }
    this.kill();
    return { ...(await this.exited), killed: true };
  }

  /** SIGKILL to the whole group; synchronous, so it also works in an 'exit' handler. */
  kill(): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** The leader is gone; anything it started in its group and left behind goes too. */
  private killStragglers(): void {
    this.kill();
  }
}

/** Starts children in their own process groups and makes sure none outlives the launcher. */
export class ProcessGroup {
  private readonly members = new Set<ManagedProcess>();
  private readonly killAllOnExit = () => this.killAll();

  constructor() {
    // Last resort for a launcher that dies of an unexpected error: no orphans left behind.
    process.once('exit', this.killAllOnExit);
  }

  start(spec: ProcessSpec): ManagedProcess {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
      ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
    });
    const managed = new ManagedProcess(spec, child);
    this.members.add(managed);
    void managed.exited.then(() => this.members.delete(managed));
    return managed;
  }

  get running(): ManagedProcess[] {
    return [...this.members].filter((m) => !m.hasExited);
  }

  killAll(): void {
    for (const member of this.members) member.kill();
  }

  dispose(): void {
    process.removeListener('exit', this.killAllOnExit);
  }
}

/** The promise's value, or undefined if it takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
