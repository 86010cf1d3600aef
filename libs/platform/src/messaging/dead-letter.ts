/** Headers the dead-letter copy carries, besides the original message's own headers. */
export const DLQ_HEADERS = {
  reason: 'Dlq-Reason',
  originalSubject: 'Dlq-Original-Subject',
  originalStream: 'Dlq-Original-Stream',
  originalSeq: 'Dlq-Original-Seq',
  originalMsgId: 'Dlq-Original-Msg-Id',
  consumer: 'Dlq-Consumer',
  deliveryCount: 'Dlq-Delivery-Count',
  failedAt: 'Dlq-Failed-At',
} as const;

export interface DeadLetterInfo {
  readonly reason: string;
  readonly originalSubject: string;
  readonly originalStream: string;
  readonly originalSeq: number;
  readonly originalMsgId: string;
  readonly consumer: string;
  readonly deliveryCount: number;
  readonly failedAt: Date;
}

const MAX_REASON_LENGTH = 1_000;

/** Header values may not contain CR/LF; stack traces and long messages are flattened and cut. */
export function headerSafe(value: string, max = MAX_REASON_LENGTH): string {
  const flat = value.replace(/[\r\n]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function deadLetterHeaders(info: DeadLetterInfo): Record<string, string> {
  return {
    [DLQ_HEADERS.reason]: headerSafe(info.reason),
    [DLQ_HEADERS.originalSubject]: info.originalSubject,
    [DLQ_HEADERS.originalStream]: info.originalStream,
    [DLQ_HEADERS.originalSeq]: String(info.originalSeq),
    [DLQ_HEADERS.originalMsgId]: headerSafe(info.originalMsgId),
    [DLQ_HEADERS.consumer]: info.consumer,
    [DLQ_HEADERS.deliveryCount]: String(info.deliveryCount),
    [DLQ_HEADERS.failedAt]: info.failedAt.toISOString(),
  };
}

/** Reads the dead-letter headers back, e.g. for a replay tool. */
export function readDeadLetterHeaders(headers: Readonly<Record<string, string>>): DeadLetterInfo {
  return {
    reason: headers[DLQ_HEADERS.reason] ?? '',
    originalSubject: headers[DLQ_HEADERS.originalSubject] ?? '',
    originalStream: headers[DLQ_HEADERS.originalStream] ?? '',
    originalSeq: Number(headers[DLQ_HEADERS.originalSeq] ?? 0),
    originalMsgId: headers[DLQ_HEADERS.originalMsgId] ?? '',
    consumer: headers[DLQ_HEADERS.consumer] ?? '',
    deliveryCount: Number(headers[DLQ_HEADERS.deliveryCount] ?? 0),
    failedAt: new Date(headers[DLQ_HEADERS.failedAt] ?? 0),
  };
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
