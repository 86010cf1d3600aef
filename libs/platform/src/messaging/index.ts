export { JetStreamClient, CONTENT_TYPE_JSON, type JetStreamClientOptions, type RawPublish } from './jetstream.client';
export {
  MessagingModule,
  MessagingShutdown,
  MESSAGING_OPTIONS,
  type MessagingModuleOptions,
  type MessagingModuleAsyncOptions,
} from './messaging.module';
export { MessagingNames, DEFAULT_NAMESPACE, DLQ_STREAM, DLQ_STREAM_DEFINITION } from './messaging.naming';
export { NonRetryableError, StreamConfigConflictError, isNonRetryable } from './messaging.errors';
export { DLQ_HEADERS, readDeadLetterHeaders, type DeadLetterInfo } from './dead-letter';
export { MSG_ID_HEADER } from './consumer.runner';
export { BatchConsumerRunner, DEFAULT_BATCH_SIZE, DEFAULT_BATCH_RETRY_DELAYS_MS } from './batch-consumer.runner';
export { MESSAGING_ATTRIBUTES } from './message.tracing';
export { DEFAULT_ACK_WAIT_MS, DEFAULT_BACKOFF_MS, DEFAULT_MAX_DELIVER } from './stream.provisioner';
export { decideOnFailure, backoffDelay, type FailureDecision } from './retry.policy';
export { silentLogger, consoleLogger } from './messaging.logger';
export { processOnce, pruneInbox, PlatformInbox1763700000000, INBOX_TABLE } from './inbox';
export type * from './messaging.types';
export {
  enqueueOutbox,
  OutboxRelay,
  PlatformOutbox1763700000001,
  OUTBOX_TABLE,
  type OutboxMessage,
  type OutboxRelayOptions,
} from './outbox';
