import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

/** `nats-server` from PATH, or NATS_SERVER_BIN; Debian installs it in /usr/sbin, often not on a user's PATH. */
function natsServerBinary(): string {
  if (process.env.NATS_SERVER_BIN) return process.env.NATS_SERVER_BIN;
  return existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';
}

/** A nats-server of a test's own, so the test may stop and restart it without touching the shared one. */
export interface PrivateNatsServer {
  readonly url: string;
  readonly port: number;
  /** JetStream store: kept across `stop()`/`start()`, removed by `dispose()`. */
  readonly storeDir: string;
  /** Everything the server printed, for failure messages. */
  readonly output: string;
  readonly running: boolean;
  /** Stops the process (SIGTERM, SIGKILL after 5 s); the store stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store; resolves when it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes the store. Safe to call more than once, and after a failed start. */
  dispose(): Promise<void>;
}

/** Starts `nats-server -js` on a free port with a temporary store; resolves when it accepts connections. */
export async function startPrivateNatsServer(): Promise<PrivateNatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'nats-test-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill('SIGTERM');
    const killer = setTimeout(() => c.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null)
      throw new Error('nats-server is already running');
    const c = spawn(natsServerBinary(), ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    c.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    c.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    exited = new Promise((resolve) => c.once('close', () => resolve()));
    const spawnError = new Promise<Error>((resolve) => c.once('error', resolve));
    const deadline = Date.now() + 15_000;
    while (!(await accepts(port))) {
      if (c.exitCode !== null || c.signalCode !== null) throw new Error(`nats-server exited at start:\n${output}`);
      const failed = await Promise.race([
        spawnError,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 50)),
      ]);
      if (failed) throw new Error(`cannot start nats-server: ${failed.message}`);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`nats-server did not accept connections on port ${port} within 15 s:\n${output}`);
      }
    }
  };

  // Jest may exit without running afterAll (a crash, a forced exit): do not leave the server running.
  const killOnExit = () => child?.kill('SIGKILL');
  process.on('exit', killOnExit);

  const server: PrivateNatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get output() {
      return output;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    stop,
    start,
    dispose: async () => {
      await stop();
      process.off('exit', killOnExit);
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
  try {
    await start();
  } catch (err) {
    await server.dispose();
    throw err;
  }
  return server;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1_000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}
