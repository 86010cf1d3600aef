import { connect as netConnect } from 'node:net';

/** Fails fast, with the command to fix it, when PostgreSQL or NATS is not reachable. */
function reachable(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export default async function globalSetup(): Promise<void> {
  const pg = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const nats = new URL(process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222');
  const missing: string[] = [];
  if (!(await reachable(pg.hostname, Number(pg.port || 5432)))) missing.push(`PostgreSQL at ${pg.host}`);
  if (!(await reachable(nats.hostname, Number(nats.port || 4222)))) missing.push(`NATS at ${nats.host}`);
  if (missing.length > 0) {
    throw new Error(`Tests need ${missing.join(' and ')}; start them with .ci/services.sh (see README).`);
  }
}
