import { GrpcOptions, Transport } from '@nestjs/microservices';
import * as healthV1 from '../generated/grpc/health/v1/health';
import * as dssV1 from '../generated/retail/dss/v1/dss';
import * as featureStoreV1 from '../generated/retail/featurestore/v1/feature_store';
import * as ingestionV1 from '../generated/retail/ingestion/v1/ingestion';
import * as recommendationV1 from '../generated/retail/recommendation/v1/recommendation';
import * as trainingV1 from '../generated/retail/training/v1/training';
import { PROTO_LOADER_OPTIONS } from './proto-loader.options';

/** Where one proto package's services are defined. Built from generated constants, so it cannot drift. */
export interface GrpcPackageContract {
  /** Proto package, e.g. "retail.dss.v1". */
  readonly packageName: string;
  /** Proto files relative to protoRoot(); their imports are resolved from there. */
  readonly protoFiles: readonly string[];
  /** Service names inside the package, as ClientGrpc.getService() expects them, e.g. "DssService". */
  readonly serviceNames: readonly string[];
}

/** The standard health service every app serves next to its own. */
export const HEALTH_CONTRACT: GrpcPackageContract = {
  packageName: healthV1.GRPC_HEALTH_V1_PACKAGE_NAME,
  protoFiles: [healthV1.protobufFileName],
  serviceNames: [healthV1.HEALTH_SERVICE_NAME],
};

/** The public gRPC API of each app, keyed by app name (as in nest-cli.json and APP). */
export const GRPC_SERVICES = {
  ingestion: {
    packageName: ingestionV1.RETAIL_INGESTION_V1_PACKAGE_NAME,
    protoFiles: [ingestionV1.protobufFileName],
    serviceNames: [ingestionV1.INGESTION_SERVICE_NAME],
  },
  'feature-store': {
    packageName: featureStoreV1.RETAIL_FEATURESTORE_V1_PACKAGE_NAME,
    protoFiles: [featureStoreV1.protobufFileName],
    serviceNames: [featureStoreV1.FEATURE_STORE_SERVICE_NAME],
  },
  training: {
    packageName: trainingV1.RETAIL_TRAINING_V1_PACKAGE_NAME,
    protoFiles: [trainingV1.protobufFileName],
    serviceNames: [trainingV1.TRAINING_SERVICE_NAME],
  },
  recommendation: {
    packageName: recommendationV1.RETAIL_RECOMMENDATION_V1_PACKAGE_NAME,
    protoFiles: [recommendationV1.protobufFileName],
    serviceNames: [recommendationV1.RECOMMENDATION_SERVICE_NAME],
  },
  dss: {
    packageName: dssV1.RETAIL_DSS_V1_PACKAGE_NAME,
    protoFiles: [dssV1.protobufFileName],
    serviceNames: [dssV1.DSS_SERVICE_NAME],
  },
} as const satisfies Record<string, GrpcPackageContract>;

/** App name: 'ingestion' | 'feature-store' | 'training' | 'recommendation' | 'dss'. */
export type GrpcServiceKey = keyof typeof GRPC_SERVICES;

export const GRPC_SERVICE_KEYS = Object.keys(GRPC_SERVICES) as GrpcServiceKey[];

/** GrpcOptions with the transport set, so `ClientProxyFactory.create()` is typed as ClientGrpcProxy. */
export type GrpcTransportOptions = GrpcOptions & { transport: Transport.GRPC };

/** Transport settings a caller may add (message size limits, keepalive, credentials, graceful shutdown). */
export type GrpcTransportOverrides = Omit<
  GrpcOptions['options'],
  'url' | 'package' | 'protoPath' | 'loader' | 'packageDefinition' | 'protoLoader'
>;

function contractsOf(service: GrpcServiceKey): GrpcPackageContract[] {
  const contract: GrpcPackageContract | undefined = GRPC_SERVICES[service];
  if (!contract) throw new Error(`unknown gRPC service "${String(service)}"; known: ${GRPC_SERVICE_KEYS.join(', ')}`);
  return [contract, HEALTH_CONTRACT];
}

function transportOptions(
  service: GrpcServiceKey,
  url: string,
  overrides: GrpcTransportOverrides,
): GrpcTransportOptions {
  const contracts = contractsOf(service);
  return {
    transport: Transport.GRPC,
    options: {
      ...overrides,
      url,
      package: contracts.map((c) => c.packageName),
      protoPath: contracts.flatMap((c) => [...c.protoFiles]),
      loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [...PROTO_LOADER_OPTIONS.includeDirs] },
    },
  };
}

/**
 * Nest gRPC server options for an app: its own package plus grpc.health.v1, loaded with
 * PROTO_LOADER_OPTIONS. Use with `app.connectMicroservice(grpcServerOptions('dss', '0.0.0.0:50055'))`.
 */
export function grpcServerOptions(
  service: GrpcServiceKey,
  url: string,
  overrides: GrpcTransportOverrides = {},
): GrpcTransportOptions {
  return transportOptions(service, url, overrides);
}

/**
 * Nest gRPC client options for calling an app (its services and its health service), e.g.
 * `ClientsModule.register([{ name: FEATURE_STORE, ...grpcClientOptions('feature-store', url) }])`,
 * then `client.getService<featureStoreV1.FeatureStoreServiceClient>(featureStoreV1.FEATURE_STORE_SERVICE_NAME)`.
 */
export function grpcClientOptions(
  service: GrpcServiceKey,
  url: string,
  overrides: GrpcTransportOverrides = {},
): GrpcTransportOptions {
  return transportOptions(service, url, {
    ...overrides,
    channelOptions: { ...CLIENT_CHANNEL_DEFAULTS, ...overrides.channelOptions },
  });
}

/**
 * HTTP/2 flow-control window of every client connection. The default (64 KiB for the whole connection)
 * makes a busy server wait for the client's window updates: thousands of answers a second over one
 * connection stall on it long before either side runs out of CPU.
 */
export const GRPC_FLOW_CONTROL_WINDOW_BYTES = 8 * 1024 * 1024;
const CLIENT_CHANNEL_DEFAULTS = { 'grpc-node.flow_control_window': GRPC_FLOW_CONTROL_WINDOW_BYTES };

/**
 * Fully-qualified names of the services an app serves, e.g. ["retail.dss.v1.DssService",
 * "grpc.health.v1.Health"]: the names grpc.health.v1 Check/Watch requests use.
 */
export function qualifiedServiceNames(service: GrpcServiceKey): string[] {
  return contractsOf(service).flatMap((c) => c.serviceNames.map((name) => `${c.packageName}.${name}`));
}
