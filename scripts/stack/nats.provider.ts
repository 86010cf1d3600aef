import { accessSync, constants, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { NatsPlan } from './stack.plan';
import { describeExit, ManagedProcess, ProcessGroup } from './process-group';
import { sleep } from './readiness.probe';
import { InfraLog } from './stack.console';

export interface NatsServer {
  /** What the apps get as NATS_URL. */
  readonly url: string;
  /** One line for the ready report: where it is and where it keeps data. */
  readonly summary: string;
  /** The server process, when the launcher started it. */
  readonly process?: ManagedProcess;
  /** Resolves true when it stopped cleanly (or there was nothing to stop). */
  stop(timeoutMs: number): Promise<boolean>;
}

export const NATS_SERVER_MISSING = [
  'NATS is needed, but NATS_URL is not set and nats-server is not on PATH. Either:',
  '  - install nats-server (Debian/Ubuntu: apt-get install nats-server; elsewhere: the official',
  '    release binary from the nats-io/nats-server GitHub releases) and run npm start again, or',
  '  - run one with JetStream yourself (e.g. docker run -p 4222:4222 nats -js) and set',
  '    NATS_URL=nats://127.0.0.1:4222, or',
  '  - set NATS_URL to an existing NATS server with JetStream enabled.',
].join('\n');

/** What a NATS server says first on every connection: `INFO {json}`. */
export interface NatsInfo {
  readonly server_id?: string;
  readonly version?: string;
  readonly jetstream?: boolean;
}

export function parseNatsInfo(line: string): NatsInfo | undefined {
  const match = /^INFO\s+(\{.*\})\s*$/.exec(line);
  if (!match) return undefined;
  try {
    return JSON.parse(match[1]!) as NatsInfo;
  } catch {
    return undefined;
  }
}

/** host and port of the first server in a NATS_URL (which may list several). */
export function natsAddress(url: string): { host: string; port: number } {
  const first = new URL(url.split(',')[0]!.trim());
  return { host: first.hostname.replace(/^\[|\]$/g, ''), port: Number(first.port || 4222) };
}

/**
 * A program on PATH. Debian installs nats-server in /usr/sbin, which a non-root PATH often lacks,
 * so the sbin folders are looked at last.
 */
export function findExecutable(
  name: string,
  pathVariable: string | undefined,
  isExecutable: (path: string) => boolean = canExecute,
): string | undefined {
  const dirs = [...(pathVariable ?? '').split(delimiter).filter(Boolean), '/usr/local/sbin', '/usr/sbin'];
  return dirs.map((dir) => join(dir, name)).find(isExecutable);
}

function canExecute(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Connects and reads the INFO greeting: proves a NATS server (not just any program) listens there. */
export function readNatsInfo(host: string, port: number, timeoutMs: number): Promise<NatsInfo> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buffer = '';
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no INFO from ${host}:${port} within ${timeoutMs} ms`)));
    socket.once('error', fail);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const end = buffer.indexOf('\r\n');
      if (end < 0) return;
      socket.destroy();
      const info = parseNatsInfo(buffer.slice(0, end));
      if (info) resolve(info);
      else reject(new Error(`${host}:${port} did not greet like a NATS server`));
    });
  });
}

export async function provideNats(
  plan: NatsPlan,
  env: Readonly<Record<string, string | undefined>>,
  group: ProcessGroup,
  log: InfraLog,
  abort: AbortSignal,
): Promise<NatsServer> {
  return plan.kind === 'external' ? useExternalNats(plan.url, log) : startLocalNats(plan, env, group, log, abort);
}

async function useExternalNats(url: string, log: InfraLog): Promise<NatsServer> {
  const { host, port } = natsAddress(url);
  let info: NatsInfo;
  try {
    info = await readNatsInfo(host, port, 3000);
  } catch (err) {
    throw new Error(
      `NATS_URL=${url} is not reachable (${(err as Error).message}). Start that server or unset NATS_URL.`,
    );
  }
  if (info.jetstream !== true) {
    log.warn(`NATS at ${host}:${port} does not announce JetStream; the apps need it (start nats-server with -js).`);
  }
  return {
    url,
    summary: `${url} (external, JetStream ${info.jetstream ? 'on' : 'not announced'})`,
    stop: async () => true,
  };
}

async function startLocalNats(
  plan: Extract<NatsPlan, { kind: 'local' }>,
  env: Readonly<Record<string, string | undefined>>,
  group: ProcessGroup,
  log: InfraLog,
  abort: AbortSignal,
): Promise<NatsServer> {
  const binary = findExecutable('nats-server', env.PATH);
  if (!binary) throw new Error(NATS_SERVER_MISSING);
  mkdirSync(plan.storeDir, { recursive: true });
  const server = group.start({
    name: 'nats',
    command: binary,
    args: ['-js', '-a', '127.0.0.1', '-p', String(plan.port), '-sd', plan.storeDir],
    env: { ...env },
    onLine: (line) => log.line('nats', line, /\[(WRN|ERR|FTL)\]/.test(line)),
  });
  await waitForNats(server, plan.port, abort);
  const url = `nats://127.0.0.1:${plan.port}`;
  return {
    url,
    process: server,
    summary: `${url} (nats-server ${binary}, JetStream data in ${plan.storeDir})`,
    stop: async (timeoutMs) => {
      const result = await server.stop({ signal: 'SIGTERM', timeoutMs });
      if (result.killed) log.warn(`nats-server did not stop within ${timeoutMs} ms and was killed`);
      return !result.killed;
    },
  };
}

async function waitForNats(server: ManagedProcess, port: number, abort: AbortSignal): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!abort.aborted) {
    if (server.hasExited) {
      const status = await server.exited;
      throw new Error(`nats-server ${describeExit(status)}:\n${server.lastLines(10).join('\n')}`);
    }
    try {
      const info = await readNatsInfo('127.0.0.1', port, 1000);
      if (info.jetstream === false) throw new Error('nats-server started without JetStream');
      return;
    } catch (err) {
      if ((err as Error).message.includes('JetStream')) throw err;
      if (Date.now() > deadline) throw new Error(`nats-server did not accept connections on port ${port} within 15 s`);
    }
    await sleep(100, abort);
  }
  throw new Error('stopped while nats-server was starting');
}
