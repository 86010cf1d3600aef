import { connect, type JetStreamManager, type NatsConnection, type StoredMsg } from 'nats';
import { deleteNamespaceStreams, TEST_NATS_URL, uniqueNamespace } from '@app/testing';
import { headersToRecord } from '../consumer.runner';
import { JetStreamClient, type JetStreamClientOptions } from '../jetstream.client';
import { MessagingNames } from '../messaging.naming';
import type { MessagingLogger, StreamDefinition } from '../messaging.types';

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

/** Keeps log entries for assertions instead of printing them. */
export function memoryLogger(): MessagingLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    info: (message, fields) => entries.push({ level: 'info', message, fields }),
    warn: (message, fields) => entries.push({ level: 'warn', message, fields }),
    error: (message, fields) => entries.push({ level: 'error', message, fields }),
  };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const EVENTS_STREAM: StreamDefinition = {
  name: 'EVENTS',
  subjects: ['events.>'],
  duplicateWindowMs: 60_000,
  maxAgeMs: 3_600_000,
  storage: 'memory',
};

/**
 * One test's private corner of NATS: a unique namespace, clients that are closed and streams that
 * are deleted by `cleanup()`, and an admin connection to look at server state.
 */
export class MessagingTestBed {
  readonly namespace: string;
  readonly names: MessagingNames;
  readonly logger = memoryLogger();
  private readonly clients: JetStreamClient[] = [];
  private admin?: { nc: NatsConnection; jsm: JetStreamManager };

  constructor(label: string) {
    this.namespace = uniqueNamespace(label);
    this.names = new MessagingNames(this.namespace);
  }

  async client(overrides: Partial<JetStreamClientOptions> = {}): Promise<JetStreamClient> {
    const client = await JetStreamClient.connect({
      url: TEST_NATS_URL,
      namespace: this.namespace,
      name: `test-${this.namespace}`,
      streams: [EVENTS_STREAM],
      // In-memory DLQ: tests leave nothing on disk.
      deadLetter: { storage: 'memory' },
      logger: this.logger,
      ...overrides,
    });
    this.clients.push(client);
    return client;
  }

  async jsm(): Promise<JetStreamManager> {
    if (!this.admin) {
      const nc = await connect({ servers: TEST_NATS_URL, name: `test-admin-${this.namespace}` });
      this.admin = { nc, jsm: await nc.jetstreamManager() };
    }
    return this.admin.jsm;
  }

  async streamMessageCount(name: string): Promise<number> {
    return (await (await this.jsm()).streams.info(this.names.stream(name))).state.messages;
  }

  async consumerInfo(stream: string, durable: string) {
    return (await this.jsm()).consumers.info(this.names.stream(stream), durable);
  }

  async storedMessage(stream: string, seq: number): Promise<StoredMsg & { headersRecord: Record<string, string> }> {
    const m = await (await this.jsm()).streams.getMessage(this.names.stream(stream), { seq });
    return Object.assign(m, { headersRecord: headersToRecord(m.header) });
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled(this.clients.map((c) => c.close(2_000)));
    await deleteNamespaceStreams(this.namespace);
    await this.admin?.nc.close();
  }
}
