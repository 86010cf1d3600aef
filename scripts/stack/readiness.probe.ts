import { request } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export type ProbeOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const OK: ProbeOutcome = { ok: true };

/** GET <url>; ready only on 200. A fresh connection each time, so no keep-alive socket delays an app's shutdown. */
export function probeHttp(url: string, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? OK : { ok: false, reason: `HTTP ${res.statusCode} from ${url}` });
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', (err: NodeJS.ErrnoException) =>
      resolve({ ok: false, reason: `${url}: ${err.code ?? err.message}` }),
    );
    req.end();
  });
}

interface HealthCheckResponse {
  status: string;
}

interface HealthClient extends grpc.Client {
  Check(
    request: { service: string },
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, response?: HealthCheckResponse) => void,
  ): grpc.ClientUnaryCall;
}

type HealthClientConstructor = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ChannelOptions,
) => HealthClient;

/**
 * A channel of our own: from the shared pool, a closed client's connection lingers for up to 10 s,
 * and an app draining its gRPC server gracefully would wait for it when the stack stops.
 */
const CHANNEL_OPTIONS: grpc.ChannelOptions = { 'grpc.use_local_subchannel_pool': 1 };

/** grpc.health.v1.Health/Check for the whole server (service ""), loaded from the repository's proto. */
export class GrpcHealthProbe {
  private readonly clients = new Map<string, HealthClient>();

  private constructor(private readonly Client: HealthClientConstructor) {}

  static load(protoPath: string): GrpcHealthProbe {
    const definition = protoLoader.loadSync(protoPath, { keepCase: true, enums: String, defaults: true });
    const root = grpc.loadPackageDefinition(definition) as unknown as {
      grpc?: { health?: { v1?: { Health?: HealthClientConstructor } } };
    };
    const Client = root.grpc?.health?.v1?.Health;
    if (!Client) throw new Error(`${protoPath} does not define grpc.health.v1.Health`);
    return new GrpcHealthProbe(Client);
  }

  check(address: string, timeoutMs: number): Promise<ProbeOutcome> {
    let client = this.clients.get(address);
    if (!client) {
      client = new this.Client(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
      this.clients.set(address, client);
    }
    const deadline = new Date(Date.now() + timeoutMs);
    return new Promise((resolve) => {
      client.Check({ service: '' }, { deadline }, (err, response) => {
        if (err) resolve({ ok: false, reason: `gRPC ${address}: ${grpc.status[err.code] ?? err.code} ${err.details}` });
        else if (response?.status !== 'SERVING') resolve({ ok: false, reason: `gRPC ${address}: ${response?.status}` });
        else resolve(OK);
      });
    });
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}

export interface ReadinessTarget {
  readonly httpUrl: string;
  readonly grpcAddress: string;
}

/** Both doors open: `GET /health/ready` answers 200 and gRPC health says SERVING. */
export async function probeApp(
  target: ReadinessTarget,
  health: GrpcHealthProbe,
  timeoutMs = 1000,
): Promise<ProbeOutcome> {
  const [http, rpc] = await Promise.all([
    probeHttp(`${target.httpUrl}/health/ready`, timeoutMs),
    health.check(target.grpcAddress, timeoutMs),
  ]);
  if (!http.ok) return http;
  return rpc;
}

/**
 * Polls until the app is ready; resolves with the last failure reason instead if the signal aborts
 * first (deadline passed, another app died, Ctrl-C).
 */
export async function waitUntilReady(
  target: ReadinessTarget,
  health: GrpcHealthProbe,
  abort: AbortSignal,
  intervalMs = 200,
): Promise<ProbeOutcome> {
  let last: ProbeOutcome = { ok: false, reason: 'not probed yet' };
  while (!abort.aborted) {
    last = await probeApp(target, health);
    if (last.ok) return last;
    await sleep(intervalMs, abort);
  }
  return last;
}

export function sleep(ms: number, abort?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      abort?.removeEventListener('abort', done);
      resolve();
    }
    abort?.addEventListener('abort', done, { once: true });
  });
}
