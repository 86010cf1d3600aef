/**
 * Wraps an expensive read (a database count, a NATS request) for gauges collected when Prometheus
 * scrapes: every gauge of one scrape, and scrapes closer together than `maxAgeMs`, share one call. A
 * failed read gives undefined (the gauges keep their last value) instead of failing the whole scrape.
 */
export function cachedRead<T>(read: () => Promise<T>, maxAgeMs = 1_000): () => Promise<T | undefined> {
  let last: { at: number; value: Promise<T | undefined> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > maxAgeMs) last = { at: now, value: read().catch(() => undefined) };
    return last.value;
  };
}
