import { createServer, connect as netConnect, Server, Socket } from 'node:net';

/** A TCP proxy a test can cut, to make a dependency (PostgreSQL, NATS) unreachable and reachable again. */
export interface TcpProxy {
  /** Port the proxy listens on, on 127.0.0.1. */
  readonly port: number;
  /** Connections opened through the proxy so far. */
  readonly accepted: number;
  /** Drops every open connection and refuses new ones (the port is closed: clients get ECONNREFUSED). */
  cut(): Promise<void>;
  /**
   * Arms a cut at a precise point of a conversation: just before forwarding a client chunk for which
   * `when(chunk, earlier)` holds (`earlier` is what that connection sent since arming, both as latin1
   * text), the chunk is dropped and the proxy cuts. Resolves once it has cut.
   * E.g. `(c, e) => c.includes('COMMIT') && e.includes('INSERT INTO orders')` cuts a transaction
   * after its writes, before its commit reaches the server.
   */
  cutWhen(when: (chunk: string, earlier: string) => boolean): Promise<void>;
  /** Listens on the same port again. */
  restore(): Promise<void>;
  /** Cuts and stops for good. */
  close(): Promise<void>;
}

/** Starts a proxy on a free port of 127.0.0.1 that forwards every connection to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let accepted = 0;
  let server: Server | undefined;
  let port = 0;
  let trigger:
    { when: (chunk: string, earlier: string) => boolean; fired: () => void; sent: Map<Socket, string> } | undefined;

  const onConnection = (client: Socket) => {
    accepted += 1;
    const upstream = netConnect({ host: target.host, port: target.port });
    for (const s of [client, upstream]) {
      open.add(s);
      s.once('close', () => open.delete(s));
      s.on('error', () => undefined); // the other side's close ends the pair
    }
    client.on('data', (chunk: Buffer) => {
      const armed = trigger;
      if (armed) {
        const text = chunk.toString('latin1');
        const earlier = armed.sent.get(client) ?? '';
        if (armed.when(text, earlier)) {
          trigger = undefined;
          void cut().then(armed.fired);
          return;
        }
        armed.sent.set(client, earlier + text);
      }
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  };

  const listen = (on: number) =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(onConnection);
      s.once('error', reject);
      s.listen(on, '127.0.0.1', () => {
        server = s;
        port = (s.address() as { port: number }).port;
        resolve();
      });
    });

  const cut = async () => {
    const s = server;
    server = undefined;
    const closed = s ? new Promise<void>((resolve) => s.close(() => resolve())) : Promise.resolve();
    // RST rather than FIN, as a crashed server or a broken network would look to the client.
    for (const socket of open) {
      try {
        socket.resetAndDestroy();
      } catch {
        socket.destroy(); // not connected yet
      }
    }
    await closed;
  };

  await listen(0);
  return {
    get port() {
      return port;
    },
    get accepted() {
      return accepted;
    },
    cut,
    cutWhen: (when) => new Promise<void>((fired) => (trigger = { when, fired, sent: new Map() })),
    restore: async () => {
      if (!server) await listen(port);
    },
    close: cut,
  };
}
