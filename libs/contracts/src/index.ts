/**
 * Contracts shared by every app: TypeScript generated from proto/ (one namespace per versioned
 * package, e.g. `dssV1.DssServiceController`), the gRPC runtime helpers and the NATS event schemas.
 */
export * as commonV1 from './generated/retail/common/v1/common';
export * as ingestionV1 from './generated/retail/ingestion/v1/ingestion';
export * as featureStoreV1 from './generated/retail/featurestore/v1/feature_store';
export * as trainingV1 from './generated/retail/training/v1/training';
export * as recommendationV1 from './generated/retail/recommendation/v1/recommendation';
export * as dssV1 from './generated/retail/dss/v1/dss';
export * as healthV1 from './generated/grpc/health/v1/health';
export type { Timestamp } from './generated/google/protobuf/timestamp';
export * from './grpc';
export * from './events';
