import { z } from 'zod';
import { bool, hostPort, logLevel, nodeEnv, port, positiveInt, url } from './config.vars';

export type AppName = 'ingestion' | 'feature-store' | 'training' | 'recommendation' | 'dss';

export const APP_NAMES: readonly AppName[] = ['ingestion', 'feature-store', 'training', 'recommendation', 'dss'];

/** Local defaults per app: ports and database name. The stack launcher uses the same table. */
export const APP_DEFAULTS: Readonly<Record<AppName, { httpPort: number; grpcPort: number; database: string }>> = {
  ingestion: { httpPort: 3001, grpcPort: 50051, database: 'reco_ingestion' },
  'feature-store': { httpPort: 3002, grpcPort: 50052, database: 'reco_feature_store' },
  training: { httpPort: 3003, grpcPort: 50053, database: 'reco_training' },
  recommendation: { httpPort: 3004, grpcPort: 50054, database: 'reco_recommendation' },
  dss: { httpPort: 3005, grpcPort: 50055, database: 'reco_dss' },
};

/** gRPC addresses of the peers, as env variable → default. */
export const PEER_GRPC_VARS = {
  INGESTION_GRPC_URL: `127.0.0.1:${APP_DEFAULTS.ingestion.grpcPort}`,
  FEATURE_STORE_GRPC_URL: `127.0.0.1:${APP_DEFAULTS['feature-store'].grpcPort}`,
  TRAINING_GRPC_URL: `127.0.0.1:${APP_DEFAULTS.training.grpcPort}`,
  RECOMMENDATION_GRPC_URL: `127.0.0.1:${APP_DEFAULTS.recommendation.grpcPort}`,
  DSS_GRPC_URL: `127.0.0.1:${APP_DEFAULTS.dss.grpcPort}`,
} as const;

/**
 * Variables every app reads. App-specific schemas extend this one with `.extend({...})`.
 * Defaults here are the development defaults; `.env.example` lists the same values.
 */
export function platformConfigSchema(app: AppName) {
  const d = APP_DEFAULTS[app];
  return z.object({
    NODE_ENV: nodeEnv,
    LOG_LEVEL: logLevel,
    BIND_HOST: z.string().min(1).default('0.0.0.0'),
    HTTP_PORT: port(d.httpPort),
    GRPC_PORT: port(d.grpcPort),
    DATABASE_URL: url(['postgres', 'postgresql'], `postgres://postgres@127.0.0.1:5432/${d.database}`),
    DATABASE_POOL_SIZE: positiveInt(10),
    DATABASE_CREATE_IF_MISSING: bool(true),
    DATABASE_MIGRATIONS_RUN: bool(true),
    NATS_URL: url(['nats', 'tls'], 'nats://127.0.0.1:4222'),
    NATS_NAMESPACE: z
      .string()
      .regex(/^[a-z][a-z0-9]*$/, { message: 'expected lower-case letters and digits, starting with a letter' })
      .default('retail'),
    NATS_MAX_DELIVER: positiveInt(5),
    OTEL_EXPORTER_OTLP_ENDPOINT: url(['http', 'https']).optional(),
    OTEL_SERVICE_NAME: z.string().min(1).default(app),
    HTTP_BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, { message: 'expected a size such as 512kb or 5mb' })
      .default('5mb'),
    GRPC_MAX_MESSAGE_BYTES: positiveInt(8 * 1024 * 1024),
    SHUTDOWN_TIMEOUT_MS: positiveInt(10000),
    GRPC_CLIENT_TIMEOUT_MS: positiveInt(2000),
    INGESTION_GRPC_URL: hostPort(PEER_GRPC_VARS.INGESTION_GRPC_URL),
    FEATURE_STORE_GRPC_URL: hostPort(PEER_GRPC_VARS.FEATURE_STORE_GRPC_URL),
    TRAINING_GRPC_URL: hostPort(PEER_GRPC_VARS.TRAINING_GRPC_URL),
    RECOMMENDATION_GRPC_URL: hostPort(PEER_GRPC_VARS.RECOMMENDATION_GRPC_URL),
    DSS_GRPC_URL: hostPort(PEER_GRPC_VARS.DSS_GRPC_URL),
  });
}

export type PlatformConfig = z.infer<ReturnType<typeof platformConfigSchema>>;
