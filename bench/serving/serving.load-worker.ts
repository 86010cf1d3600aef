import { Agent, request as httpRequest } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { GRPC_FLOW_CONTROL_WINDOW_BYTES, GRPC_SERVICES, PROTO_LOADER_OPTIONS } from '@app/contracts/grpc';
import { errorKind, openLoop, RawStep, Send } from './serving.load';

/*
 * The load generator of the serving benchmark, in a process of its own: the benchmark's main process holds
 * the synthetic shop and the fitted model, and its garbage collector's pauses would show up as service
 * latency. Driven over IPC: one LoadJob in, one LoadResult out.
 */

export interface LoadJob {
  transport: 'gRPC' | 'REST';
  /** host:port of the gRPC server, or the REST base URL's port on 127.0.0.1. */
  grpcAddress: string;
  httpPort: number;
  requests: object[];
  rate: number;
}

export type LoadResult = Omit<RawStep, 'latencies' | 'lag'> & { latencies: number[]; lag: number[] };

type Answer = {
  modelId?: string;
  degraded?: boolean;
  degradations?: { component: string; reason: string }[];
};

const degradationsOf = (a: Answer) =>
  (a.degradations ?? []).map((d) => `${d.component}: ${d.reason}`.replace(/\d+/g, '#'));

const contract = GRPC_SERVICES.recommendation;
const method = (
  protoLoader.loadSync([...contract.protoFiles], PROTO_LOADER_OPTIONS)[
    `${contract.packageName}.${contract.serviceNames[0]}`
  ] as grpc.ServiceDefinition
).Recommend;
let client: grpc.Client | undefined;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function grpcSend(address: string, payloads: Buffer[]): Send {
  // A storefront's client as the platform's own clients are set up: a large flow-control window.
  client ??= new grpc.Client(address, grpc.credentials.createInsecure(), {
    'grpc-node.flow_control_window': GRPC_FLOW_CONTROL_WINDOW_BYTES,
  });
  const c = client;
  return (i, done) =>
    c.makeUnaryRequest(
      method.path,
      (b: Buffer) => b,
      method.responseDeserialize,
      payloads[i],
      { deadline: Date.now() + 10_000 },
      (err, res) => {
        const a = res as Answer | undefined;
        done(
          err || !a
            ? { error: err ? errorKind(grpc.status[err.code], err.details) : 'empty answer' }
            : { degraded: a.degraded, withModel: !!a.modelId, degradations: degradationsOf(a) },
        );
      },
    );
}

function restSend(port: number, payloads: Buffer[]): Send {
  return (i, done) => {
    const req = httpRequest(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: '/v1/recommendations',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': payloads[i].length },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) return done({ error: errorKind(`HTTP ${res.statusCode}`, text) });
          const a = JSON.parse(text) as Answer;
          done({ degraded: !!a.degraded, withModel: !!a.modelId, degradations: degradationsOf(a) });
        });
      },
    );
    req.on('error', (err) => done({ error: errorKind('HTTP', err.message) }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(payloads[i]);
  };
}

async function run(job: LoadJob): Promise<LoadResult> {
  const send =
    job.transport === 'gRPC'
      ? grpcSend(
          job.grpcAddress,
          job.requests.map((r) => method.requestSerialize(r)),
        )
      : restSend(
          job.httpPort,
          job.requests.map((r) => Buffer.from(JSON.stringify(r))),
        );
  const raw = await openLoop(job.requests.length, job.rate, send);
  return { ...raw, latencies: Array.from(raw.latencies), lag: Array.from(raw.lag) };
}

process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send!({ result }),
    (err: Error) => process.send!({ error: err.stack ?? String(err) }),
  );
});
process.on('disconnect', () => {
  client?.close();
  agent.destroy();
});
