import type { MessagingLogger } from './messaging.types';

export const silentLogger: MessagingLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Fallback for CLIs and benchmarks: one line per entry on stderr, info suppressed unless verbose. */
export function consoleLogger(verbose = false): MessagingLogger {
  const line = (level: string, message: string, fields?: Record<string, unknown>) =>
    process.stderr.write(`${level} [messaging] ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
  return {
    info: (m, f) => (verbose ? line('INFO', m, f) : undefined),
    warn: (m, f) => line('WARN', m, f),
    error: (m, f) => line('ERROR', m, f),
  };
}
