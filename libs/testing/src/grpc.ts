import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { GRPC_SERVICES, GrpcServiceKey, PROTO_LOADER_OPTIONS } from '@app/contracts/grpc';

type Callback = (err: grpc.ServiceError | null, res?: unknown) => void;
type UnaryFn = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback) => void;

export interface GrpcTestClient {
  /** Calls a unary method; resolves with the response, rejects with the grpc ServiceError. */
  call<T = unknown>(method: string, request: object, metadata?: grpc.Metadata): Promise<T>;
  /** Calls a client-streaming method: sends every request, closes, resolves with the one answer. */
  clientStream<T = unknown>(method: string, requests: readonly object[]): Promise<T>;
  /** Calls a server-streaming method and collects every message. */
  stream<T = unknown>(method: string, request: object): Promise<T[]>;
  close(): void;
}

/** A plain @grpc/grpc-js client for a service's public API, loaded from the same protos. */
export function grpcTestClient(service: GrpcServiceKey, address: string): GrpcTestClient {
  const contract = GRPC_SERVICES[service];
  const def = protoLoader.loadSync([...contract.protoFiles], PROTO_LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def);
  const ctor = contract.packageName
    .split('.')
    .concat(contract.serviceNames[0])
    .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], pkg) as grpc.ServiceClientConstructor;
  const client = new ctor(address, grpc.credentials.createInsecure());
  const fn = (method: string) => (client as unknown as Record<string, UnaryFn>)[method].bind(client);
  return {
    call: <T>(method: string, request: object, metadata = new grpc.Metadata()) =>
      new Promise<T>((resolve, reject) =>
        fn(method)(request, metadata, { deadline: Date.now() + 10_000 }, (err, res) =>
          err ? reject(err) : resolve(res as T),
        ),
      ),
    stream: <T>(method: string, request: object) =>
      new Promise<T[]>((resolve, reject) => {
        const out: T[] = [];
        const call = (client as unknown as Record<string, (r: object) => grpc.ClientReadableStream<T>>)[method].call(
          client,
          request,
        );
        call.on('data', (m: T) => out.push(m));
        call.on('error', reject);
        call.on('end', () => resolve(out));
      }),
    clientStream: <T>(method: string, requests: readonly object[]) =>
      new Promise<T>((resolve, reject) => {
        type Writable = grpc.ClientWritableStream<object>;
        const call = (
          client as unknown as Record<string, (md: grpc.Metadata, o: grpc.CallOptions, cb: Callback) => Writable>
        )[method].call(client, new grpc.Metadata(), { deadline: Date.now() + 30_000 }, (err, res) =>
          err ? reject(err) : resolve(res as T),
        );
        for (const r of requests) call.write(r);
        call.end();
      }),
    close: () => client.close(),
  };
}
