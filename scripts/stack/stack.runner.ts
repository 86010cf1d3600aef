import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { AppName } from '@app/platform/config/platform.config';
import {
  adminUrlFor,
  AppPlan,
  appCommandLine,
  appDatabaseUrl,
  appEntryPoint,
  appEnvironment,
  Env,
  envPrefix,
  grpcAddressOf,
  httpUrlOf,
  planStack,
  StackConfigError,
  StackPlan,
} from './stack.plan';
import { describeExit, ExitStatus, ManagedProcess, ProcessGroup } from './process-group';
import { ensureDatabase, PostgresServer, providePostgres } from './postgres.provider';
import { NatsServer, provideNats } from './nats.provider';
import { GrpcHealthProbe, ProbeOutcome, waitUntilReady } from './readiness.probe';
import { busyPorts, PlannedPort } from './port-check';
import { formatDuration, formatNotReady, formatReadyReport, ReadyRow } from './stack.report';
import { LinePrefixer, shouldColour } from './log-lines';
import { StackConsole } from './stack.console';

type StopReason =
  | { readonly kind: 'signal'; readonly signal: NodeJS.Signals }
  | { readonly kind: 'orphaned' }
  | { readonly kind: 'exited'; readonly name: string; readonly status: ExitStatus; readonly lastLines: string[] }
  | { readonly kind: 'failure'; readonly message: string };

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const HEALTH_PROTO = join('proto', 'grpc', 'health', 'v1', 'health.proto');

/** Runs the whole stack until a signal or a failure; resolves with the process exit code. */
export async function runStack(env: Env): Promise<number> {
  const repoRoot = findRepoRoot(__dirname);
  let plan: StackPlan;
  try {
    plan = planStack(env, repoRoot);
  } catch (err) {
    if (!(err instanceof StackConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  return new StackRunner(plan, env, repoRoot).run();
}

/** The nearest folder above `from` with a package.json: the repository, from src or from dist. */
export function findRepoRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

class StackRunner {
  private readonly group = new ProcessGroup();
  private readonly out: StackConsole;
  private readonly stopping = new AbortController();
  private stopReason?: StopReason;
  private postgres?: PostgresServer;
  private nats?: NatsServer;
  private readonly apps = new Map<AppName, ManagedProcess>();
  private startedAnything = false;

  constructor(
    private readonly plan: StackPlan,
    private readonly env: Env,
    private readonly repoRoot: string,
  ) {
    const names = [...plan.apps.map((a) => a.name), 'postgres', 'nats', 'stack'];
    const prefixer = new LinePrefixer(names, shouldColour(process.stdout.isTTY, env));
    this.out = new StackConsole(prefixer, new Map(plan.apps.map((a, i) => [a.name, i])));
  }

  async run(): Promise<number> {
    const onSignal = (signal: NodeJS.Signals) => this.onSignal(signal);
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
    const parentWatch = this.watchParent();
    try {
      await this.start();
      await this.stopRequested();
    } catch (err) {
      this.requestStop({ kind: 'failure', message: (err as Error).message });
    }
    clearInterval(parentWatch);
    return this.shutdown();
  }

  /**
   * `npm start` runs us under `sh -c`; a SIGTERM to npm kills that shell and leaves us running
   * with nobody to stop us. Losing the parent counts as being asked to stop.
   */
  private watchParent(): NodeJS.Timeout {
    const parent = process.ppid;
    const timer = setInterval(() => {
      if (process.ppid !== parent) this.requestStop({ kind: 'orphaned' });
    }, 500);
    timer.unref();
    return timer;
  }

  private async start(): Promise<void> {
    this.checkPrerequisites();
    await this.checkPorts();
    await this.startInfrastructure();
    if (this.stopReason) return;
    await this.ensureDatabases();
    if (this.stopReason) return;
    this.startApps();
    const rows = await this.waitForApps();
    if (!rows) return;
    this.out.block(
      formatReadyReport({
        rows,
        // performance.now() counts from the launcher process's start, Node's own boot included.
        totalMs: performance.now(),
        postgres: this.postgres!.summary,
        nats: this.nats!.summary,
        ...(this.usesLocalInfrastructure() ? { logs: join(this.plan.dataDir, 'logs') } : {}),
      }),
    );
  }

  private checkPrerequisites(): void {
    const problems: string[] = [];
    if (!this.plan.appCommand) {
      for (const app of this.plan.apps) {
        const entry = appEntryPoint(app.name, this.repoRoot);
        if (!existsSync(entry)) {
          problems.push(
            `${relative(this.repoRoot, entry)} is missing: build first (npm start does; or npm run build). Is apps/${app.name}/src/main.ts there?`,
          );
        }
      }
    }
    if (!existsSync(this.healthProtoPath())) {
      problems.push(`${HEALTH_PROTO} is missing: the launcher checks readiness with the standard gRPC health service.`);
    }
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }

  private healthProtoPath(): string {
    return join(this.repoRoot, HEALTH_PROTO);
  }

  private async checkPorts(): Promise<void> {
    const planned: PlannedPort[] = this.plan.apps.flatMap((a) => [
      { port: a.httpPort, owner: `${a.name} HTTP (${envPrefix(a.name)}_HTTP_PORT)` },
      { port: a.grpcPort, owner: `${a.name} gRPC (${envPrefix(a.name)}_GRPC_PORT)` },
    ]);
    if (this.plan.postgres.kind === 'embedded') {
      planned.push({ port: this.plan.postgres.port, owner: 'embedded PostgreSQL (EMBEDDED_PG_PORT)' });
    }
    if (this.plan.nats.kind === 'local') planned.push({ port: this.plan.nats.port, owner: 'NATS (LOCAL_NATS_PORT)' });
    const busy = await busyPorts(planned);
    if (busy.length > 0) {
      throw new Error(
        [
          'These ports are already in use (another stack still running? `ps -ef | grep dist/apps`):',
          ...busy.map((b) => `  ${b.port}: planned for ${b.owner}`),
        ].join('\n'),
      );
    }
  }

  private usesLocalInfrastructure(): boolean {
    return this.plan.postgres.kind === 'embedded' || this.plan.nats.kind === 'local';
  }

  private async startInfrastructure(): Promise<void> {
    const logs = join(this.plan.dataDir, 'logs');
    if (this.plan.postgres.kind === 'embedded') this.out.logToFile('postgres', join(logs, 'postgres.log'));
    if (this.plan.nats.kind === 'local') this.out.logToFile('nats', join(logs, 'nats.log'));
    const abort = this.stopping.signal;
    this.startedAnything = true;
    const [postgres, nats] = await Promise.allSettled([
      providePostgres(this.plan.postgres, this.env, this.group, this.out, abort),
      provideNats(this.plan.nats, this.env, this.group, this.out, abort),
    ]);
    if (postgres.status === 'fulfilled') this.postgres = this.watched(postgres.value, 'postgres');
    if (nats.status === 'fulfilled') this.nats = this.watched(nats.value, 'nats');
    const failures = [postgres, nats].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length > 0 && !this.stopReason) {
      throw new Error(failures.map((f) => (f.reason as Error).message).join('\n'));
    }
  }

  private watched<T extends { readonly process?: ManagedProcess }>(server: T, name: string): T {
    if (server.process) this.watchExit(name, server.process);
    return server;
  }

  private async ensureDatabases(): Promise<void> {
    const serverUrl = this.postgres!.serverUrl;
    await Promise.all(
      this.plan.apps.map(async (app) => {
        const url = appDatabaseUrl(app, serverUrl);
        if ((await ensureDatabase(url, adminUrlFor(url, serverUrl))) === 'created') {
          this.out.info(`created database ${new URL(url).pathname.slice(1)} for ${app.name}`);
        }
      }),
    );
  }

  private startApps(): void {
    const resolved = { natsUrl: this.nats!.url };
    for (const app of this.plan.apps) {
      const { command, args } = appCommandLine(app.name, this.plan, this.repoRoot, process.execPath);
      const env = appEnvironment(app, this.plan, this.env, {
        ...resolved,
        databaseUrl: appDatabaseUrl(app, this.postgres!.serverUrl),
      });
      const child = this.group.start({
        name: app.name,
        command,
        args,
        env,
        cwd: this.repoRoot,
        onLine: (line, stream) => this.out.appLine(app.name, line, stream),
      });
      this.apps.set(app.name, child);
      this.watchExit(app.name, child);
    }
    this.out.info(`started ${this.plan.apps.map((a) => a.name).join(', ')}; waiting for them to be ready`);
  }

  /** Rows for the ready report, or undefined when the stack is stopping instead. */
  private async waitForApps(): Promise<ReadyRow[] | undefined> {
    const health = GrpcHealthProbe.load(this.healthProtoPath());
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.plan.readyTimeoutMs);
    const onStop = () => deadline.abort();
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    const spawnedAt = performance.now();
    try {
      const outcomes = await Promise.all(
        this.plan.apps.map(async (app) => {
          const outcome = await waitUntilReady(target(app), health, deadline.signal);
          return { app, outcome, readyMs: performance.now() - spawnedAt };
        }),
      );
      if (this.stopReason) return undefined;
      const notReady = outcomes.filter(
        (o): o is typeof o & { outcome: Extract<ProbeOutcome, { ok: false }> } => !o.outcome.ok,
      );
      if (notReady.length > 0) {
        this.requestStop({
          kind: 'failure',
          message: formatNotReady(
            this.plan.readyTimeoutMs,
            notReady.map((o) => ({
              app: o.app.name,
              reason: o.outcome.reason,
              lastLines: this.apps.get(o.app.name)?.lastLines(15) ?? [],
            })),
          ),
        });
        return undefined;
      }
      return outcomes.map((o) => ({
        app: o.app.name,
        httpUrl: httpUrlOf(o.app),
        grpcAddress: grpcAddressOf(o.app),
        readyMs: o.readyMs,
      }));
    } finally {
      clearTimeout(timer);
      this.stopping.signal.removeEventListener('abort', onStop);
      health.close();
    }
  }

  private watchExit(name: string, child: ManagedProcess): void {
    void child.exited.then((status) => {
      if (!this.stopReason) this.requestStop({ kind: 'exited', name, status, lastLines: child.lastLines(15) });
    });
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (!this.stopReason) {
      this.requestStop({ kind: 'signal', signal });
      return;
    }
    this.out.warn(`${signal} again: killing everything now`);
    this.group.killAll();
    process.exit(130);
  }

  private requestStop(reason: StopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.stopping.abort();
  }

  private stopRequested(): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** Apps first (they still need the database and NATS to stop cleanly), then NATS and PostgreSQL. */
  private async shutdown(): Promise<number> {
    const reason = this.stopReason!;
    const began = performance.now();
    this.reportStopReason(reason);
    const timeoutMs = this.plan.stopTimeoutMs;
    const running = [...this.apps].filter(([, child]) => !child.hasExited);
    const results = await Promise.all(
      running.map(async ([name, child]) => ({ name, result: await child.stop({ signal: 'SIGTERM', timeoutMs }) })),
    );
    const unclean = results.filter(
      ({ result }) => result.killed || (result.signal !== null ? result.signal !== 'SIGTERM' : result.code !== 0),
    );
    for (const { name, result } of unclean) {
      this.out.warn(
        result.killed
          ? `${name} did not stop within ${formatDuration(timeoutMs)} (STACK_STOP_TIMEOUT_MS) and was killed`
          : `${name} ${describeExit(result)} while stopping`,
      );
    }
    const infra = await Promise.all([this.nats?.stop(timeoutMs) ?? true, this.postgres?.stop(timeoutMs) ?? true]);
    const clean = unclean.length === 0 && infra.every(Boolean);
    if (this.startedAnything) this.out.info(`stopped in ${formatDuration(performance.now() - began)}`);
    await this.out.close();
    for (const signal of STOP_SIGNALS) process.removeAllListeners(signal);
    this.group.killAll();
    return (reason.kind === 'signal' || reason.kind === 'orphaned') && clean ? 0 : 1;
  }

  private reportStopReason(reason: StopReason): void {
    switch (reason.kind) {
      case 'signal':
        this.out.info(`${reason.signal} received: stopping the stack (${reason.signal} again kills it at once)`);
        return;
      case 'exited':
        this.out.warn(
          [
            `${reason.name} ${describeExit(reason.status)} unexpectedly; stopping the stack.`,
            ...(reason.lastLines.length > 0
              ? [`last lines of ${reason.name}:`, ...reason.lastLines.map((l) => `  ${l}`)]
              : []),
          ].join('\n'),
        );
        return;
      case 'orphaned':
        this.out.warn('the process that started the launcher is gone: stopping the stack');
        return;
      case 'failure':
        this.out.warn(reason.message);
        return;
    }
  }
}

function target(app: AppPlan) {
  return { httpUrl: httpUrlOf(app), grpcAddress: grpcAddressOf(app) };
}
