import type { StreamDefinition } from './messaging.types';

export const DEFAULT_NAMESPACE = 'retail';

/** Stream name (without namespace) of the dead-letter stream every client provisions. */
export const DLQ_STREAM = 'DLQ';

const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
const STREAM_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
const SUBJECT_TOKEN_PATTERN = /^[^\s.*>]+$/;

/**
 * Maps namespace-relative names to server names: subject `events.v1.x` -> `retail.events.v1.x`,
 * stream `EVENTS` -> `RETAIL_EVENTS`. One namespace per deployment (or per test) keeps them apart.
 */
export class MessagingNames {
  readonly namespace: string;

  constructor(namespace: string = DEFAULT_NAMESPACE) {
    if (!NAMESPACE_PATTERN.test(namespace)) {
      throw new Error(`Invalid messaging namespace "${namespace}": use lower-case letters, digits, "_" or "-"`);
    }
    this.namespace = namespace;
  }

  subject(suffix: string): string {
    assertSubjectSuffix(suffix);
    return `${this.namespace}.${suffix}`;
  }

  /** Strips the namespace; throws if the subject is outside it. */
  suffixOf(subject: string): string {
    const prefix = `${this.namespace}.`;
    if (!subject.startsWith(prefix)) {
      throw new Error(`Subject "${subject}" is outside namespace "${this.namespace}"`);
    }
    return subject.slice(prefix.length);
  }

  stream(name: string): string {
    if (!STREAM_NAME_PATTERN.test(name)) {
      throw new Error(`Invalid stream name "${name}": use letters, digits, "_" or "-"`);
    }
    return `${this.namespace.toUpperCase().replace(/-/g, '_')}_${name.toUpperCase()}`;
  }

  get dlqStream(): string {
    return this.stream(DLQ_STREAM);
  }

  /** `retail.events.v1.x` -> `retail.dlq.events.v1.x`. */
  dlqSubject(originalSubject: string): string {
    return this.subject(`dlq.${this.suffixOf(originalSubject)}`);
  }
}

function assertSubjectSuffix(suffix: string): void {
  const tokens = suffix.split('.');
  const ok = tokens.every(
    (t, i) => SUBJECT_TOKEN_PATTERN.test(t) || t === '*' || (t === '>' && i === tokens.length - 1),
  );
  if (!ok) throw new Error(`Invalid subject suffix "${suffix}"`);
}

/** The dead-letter stream: long retention, so an operator has time to inspect and replay. */
export const DLQ_STREAM_DEFINITION: StreamDefinition = {
  name: DLQ_STREAM,
  subjects: ['dlq.>'],
  duplicateWindowMs: 2 * 60_000,
  maxAgeMs: 14 * 24 * 3_600_000,
  description: 'Messages a consumer gave up on; headers say why',
};
