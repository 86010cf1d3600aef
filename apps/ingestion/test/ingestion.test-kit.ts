import { EventSubject } from '@app/contracts/events';
import { ConsumerHandle, JetStreamClient, ReceivedMessage } from '@app/platform/messaging';

export interface Collected {
  subject: string;
  msgId: string;
  data: Record<string, unknown>;
}

/** Collects what the service publishes on some subjects (a durable consumer per subject, like the real consumers). */
export async function collectEvents(bus: JetStreamClient, subjects: readonly EventSubject[]) {
  const received: Collected[] = [];
  const handles: ConsumerHandle[] = [];
  for (const subject of subjects) {
    handles.push(
      await bus.consume({
        stream: 'EVENTS',
        durable: `collector-${subject.replace(/\./g, '-')}`,
        filterSubjects: [subject],
        handler: async (m: ReceivedMessage<unknown>) => {
          received.push({ subject, msgId: m.msgId, data: m.data as Record<string, unknown> });
        },
      }),
    );
  }
  return {
    received,
    of: (subject: EventSubject) => received.filter((r) => r.subject === subject),
    close: () => Promise.all(handles.map((h) => h.close())),
  };
}

let counter = 0;

/** A valid storefront interaction in REST form; override what a test is about. */
export function anInteraction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    eventId: `evt-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    userId: 'u-1',
    itemId: 'sku-1',
    type: 'view',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    ...overrides,
  };
}
