import { MessagingNames } from './messaging.naming';

describe(MessagingNames.name, () => {
  const names = new MessagingNames('retail');

  it('prefixes subjects and upper-cases stream names with the namespace', () => {
    expect(names.subject('events.v1.interaction')).toBe('retail.events.v1.interaction');
    expect(names.stream('EVENTS')).toBe('RETAIL_EVENTS');
    expect(names.dlqStream).toBe('RETAIL_DLQ');
  });

  it('maps an original subject to its dead-letter subject', () => {
    expect(names.dlqSubject('retail.events.v1.interaction')).toBe('retail.dlq.events.v1.interaction');
    expect(names.suffixOf('retail.events.v1.interaction')).toBe('events.v1.interaction');
  });

  it('defaults to the retail namespace', () => {
    expect(new MessagingNames().subject('a')).toBe('retail.a');
  });

  it('rejects names that would break subjects or stream names', () => {
    expect(() => new MessagingNames('Retail.Prod')).toThrow(/namespace/);
    expect(() => names.subject('events..x')).toThrow(/subject/);
    expect(() => names.subject('events.>.x')).toThrow(/subject/);
    expect(() => names.stream('EVENTS.X')).toThrow(/stream/);
    expect(() => names.suffixOf('other.events.x')).toThrow(/outside/);
  });

  it('allows wildcards in subject patterns', () => {
    expect(names.subject('events.>')).toBe('retail.events.>');
    expect(names.subject('events.*.sale')).toBe('retail.events.*.sale');
  });
});
