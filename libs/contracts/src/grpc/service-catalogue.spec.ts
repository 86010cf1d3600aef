import 'reflect-metadata';
import { loadSync, type ServiceDefinition } from '@grpc/proto-loader';
import { Transport } from '@nestjs/microservices';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { PROTO_LOADER_OPTIONS } from './proto-loader.options';
import { protoRoot } from './proto-root';
import {
  GRPC_SERVICE_KEYS,
  GRPC_SERVICES,
  GRPC_FLOW_CONTROL_WINDOW_BYTES,
  grpcClientOptions,
  grpcServerOptions,
  HEALTH_CONTRACT,
  qualifiedServiceNames,
} from './service-catalogue';

const GENERATED_DIR = join(__dirname, '..', 'generated');

interface GeneratedModule {
  protobufPackage: string;
  protobufFileName: string;
  [name: string]: unknown;
}

interface GrpcPattern {
  service: string;
  rpc: string;
  streaming: string;
}

/** Every generated module, so a new proto is covered without touching this test. */
const generatedModules: Array<[string, GeneratedModule]> = readdirSync(GENERATED_DIR, {
  recursive: true,
  encoding: 'utf8',
})
  .filter((file) => file.endsWith('.ts'))
  .map((file) => [file.split(sep).join('/'), jest.requireActual<GeneratedModule>(join(GENERATED_DIR, file))]);

/** Every (module, service name) pair from the generated `*_SERVICE_NAME` constants. */
const generatedServices = generatedModules.flatMap(([file, mod]) =>
  Object.entries(mod)
    .filter(([key]) => key.endsWith('_SERVICE_NAME'))
    .map(([, name]) => [`${mod.protobufPackage}.${String(name)}`, file, mod, String(name)] as const),
);

/** The shape of a generated `...ControllerMethods()` decorator factory (it only reads `prototype`). */
type ControllerMethodsDecorator = () => (constructor: { prototype: object }) => void;

/** Applies a generated `...ControllerMethods()` decorator to a probe class and returns what it registered. */
function registeredHandlers(decorator: ControllerMethodsDecorator): Map<string, GrpcPattern> {
  const members: Record<string, unknown> = {};
  // Every method the decorator asks for exists (so the decorator never fails), and is recorded.
  const prototype = new Proxy(members, {
    getOwnPropertyDescriptor: (target, key) =>
      Reflect.getOwnPropertyDescriptor(target, key) ?? {
        value: function handler() {},
        writable: true,
        enumerable: true,
        configurable: true,
      },
  });
  decorator()({ prototype });
  const handlers = new Map<string, GrpcPattern>();
  for (const [method, fn] of Object.entries(members)) {
    const [pattern] = Reflect.getMetadata(PATTERN_METADATA, fn as object) as GrpcPattern[];
    handlers.set(method, pattern);
  }
  return handlers;
}

describe('service catalogue', () => {
  it('finds generated services', () => {
    expect(generatedServices.map(([qualified]) => qualified).sort()).toEqual([
      'grpc.health.v1.Health',
      'retail.dss.v1.DssService',
      'retail.featurestore.v1.FeatureStoreService',
      'retail.ingestion.v1.IngestionService',
      'retail.recommendation.v1.RecommendationService',
      'retail.training.v1.TrainingService',
    ]);
  });

  describe.each(generatedServices)('%s', (qualified, file, mod, serviceName) => {
    const definition = loadSync(mod.protobufFileName, PROTO_LOADER_OPTIONS);
    const service = definition[qualified] as ServiceDefinition | undefined;

    it('is defined in the proto-loader package definition', () => {
      expect(mod.protobufFileName).toBe(file.replace(/\.ts$/, '.proto'));
      expect(service).toBeDefined();
      expect(Object.values(service ?? {}).every((method) => typeof method.path === 'string')).toBe(true);
    });

    it('has a controller decorator registering exactly the proto methods, streaming where the proto streams', () => {
      const decorator = mod[`${serviceName}ControllerMethods`] as ControllerMethodsDecorator;
      expect(typeof decorator).toBe('function');
      const handlers = registeredHandlers(decorator);
      const expected = Object.values(service ?? {})
        .map((method) => ({
          method: method.originalName ?? '',
          pattern: {
            // useNestjsFqnServiceName: Nest resolves handlers by the package-qualified name in the method path.
            service: method.path.split('/')[1],
            rpc: method.originalName ?? '',
            // Client-streaming (and bidi) handlers take an Observable of requests: GrpcStreamMethod.
            streaming: method.requestStream ? 'rx_stream' : 'no_stream',
          },
        }))
        .sort((a, b) => a.method.localeCompare(b.method));
      const actual = [...handlers.entries()]
        .map(([method, pattern]) => ({ method, pattern }))
        .sort((a, b) => a.method.localeCompare(b.method));
      expect(actual).toEqual(expected);
    });
  });

  it('describes every app with its generated package, proto file and service', () => {
    expect(GRPC_SERVICE_KEYS).toEqual(['ingestion', 'feature-store', 'training', 'recommendation', 'dss']);
    for (const key of GRPC_SERVICE_KEYS) {
      const contract = GRPC_SERVICES[key];
      const definition = loadSync([...contract.protoFiles], PROTO_LOADER_OPTIONS);
      for (const name of contract.serviceNames) {
        expect(definition[`${contract.packageName}.${name}`]).toBeDefined();
      }
    }
    const health = loadSync([...HEALTH_CONTRACT.protoFiles], PROTO_LOADER_OPTIONS);
    expect(health['grpc.health.v1.Health']).toBeDefined();
  });

  it('builds server and client options that serve the app and grpc.health.v1 with the shared loader options', () => {
    for (const build of [grpcServerOptions, grpcClientOptions]) {
      const options = build('dss', '127.0.0.1:50055', { maxReceiveMessageLength: 1024 });
      expect(options).toEqual({
        transport: Transport.GRPC,
        options: {
          url: '127.0.0.1:50055',
          maxReceiveMessageLength: 1024,
          package: ['retail.dss.v1', 'grpc.health.v1'],
          protoPath: ['retail/dss/v1/dss.proto', 'grpc/health/v1/health.proto'],
          loader: { ...PROTO_LOADER_OPTIONS },
          // Clients get a large HTTP/2 flow-control window (see GRPC_FLOW_CONTROL_WINDOW_BYTES).
          ...(build === grpcClientOptions
            ? { channelOptions: { 'grpc-node.flow_control_window': GRPC_FLOW_CONTROL_WINDOW_BYTES } }
            : {}),
        },
      });
      // A copy, so one app mutating its options cannot change another's.
      expect(options.options.loader?.includeDirs).not.toBe(PROTO_LOADER_OPTIONS.includeDirs);
    }
  });

  it('refuses an unknown app', () => {
    expect(() => grpcServerOptions('nope' as never, '127.0.0.1:1')).toThrow(/unknown gRPC service "nope"/);
  });

  it('names the services an app serves as health checks expect them', () => {
    expect(qualifiedServiceNames('feature-store')).toEqual([
      'retail.featurestore.v1.FeatureStoreService',
      'grpc.health.v1.Health',
    ]);
  });

  it('finds the proto root from source', () => {
    expect(protoRoot()).toBe(join(__dirname, '..', '..', '..', '..', 'proto'));
  });
});
