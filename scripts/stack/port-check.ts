import { createServer } from 'node:net';

export interface PlannedPort {
  readonly port: number;
  readonly owner: string;
}

/**
 * The planned ports that something already listens on. Checked before anything starts: a stale app
 * left on its port would otherwise answer the readiness checks in place of the new one.
 */
export async function busyPorts(planned: readonly PlannedPort[]): Promise<PlannedPort[]> {
  const busy = await Promise.all(planned.map(async (p) => ((await isFree(p.port)) ? undefined : p)));
  return busy.filter((p): p is PlannedPort => p !== undefined);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    // No host: the IPv6 wildcard where there is one, which also collides with IPv4 listeners.
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
