/** The database name in a PostgreSQL URL (its path without the slash). */
export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL has no database name: ${redactUrl(url)}`);
  return name;
}

/** The same server with another database, e.g. `postgres` for administration. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** A URL safe to log: password replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}

/** Test databases are marked by name: `test_…` or `…_test`. */
export function isTestDatabaseName(name: string): boolean {
  return /^test_|_test$/.test(name);
}

/**
 * Refuses to let a test run touch a database that is not marked as a test database, so a stray
 * DATABASE_URL can never point the suite at real data.
 */
export function assertSafeForEnvironment(url: string, nodeEnv: string | undefined): void {
  if (nodeEnv !== 'test') return;
  const name = databaseName(url);
  if (!isTestDatabaseName(name)) {
    throw new Error(
      `Refusing to use database "${name}" under NODE_ENV=test: test database names must start with "test_" or end with "_test".`,
    );
  }
}
