import { z } from 'zod';
import { ConfigValidationError, loadConfig } from './config.loader';
import { platformConfigSchema } from './platform.config';

describe(loadConfig.name, () => {
  const schema = platformConfigSchema('dss').extend({
    FORECAST_HORIZON_DAYS: z.coerce.number().int().positive().default(28),
  });

  it('fills every default for an empty environment', () => {
    const c = loadConfig('dss', schema, {});
    expect(c.HTTP_PORT).toBe(3005);
    expect(c.GRPC_PORT).toBe(50055);
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/reco_dss');
    expect(c.DATABASE_CREATE_IF_MISSING).toBe(true);
    expect(c.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(c.FORECAST_HORIZON_DAYS).toBe(28);
  });

  it('parses and coerces values, treating empty strings as unset', () => {
    const c = loadConfig('dss', schema, { HTTP_PORT: '8080', DATABASE_MIGRATIONS_RUN: 'false', LOG_LEVEL: '' });
    expect(c.HTTP_PORT).toBe(8080);
    expect(c.DATABASE_MIGRATIONS_RUN).toBe(false);
    expect(c.LOG_LEVEL).toBe('info');
  });

  it('lists every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig('dss', schema, {
        HTTP_PORT: '70000',
        DATABASE_URL: 'mysql://x/y',
        NATS_NAMESPACE: 'Bad-Name',
        LOG_LEVEL: 'loud',
        FEATURE_STORE_GRPC_URL: 'no-port',
        FORECAST_HORIZON_DAYS: '-3',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const problems = (error as ConfigValidationError).problems.map((p) => p.variable).sort();
    expect(problems).toEqual(
      [
        'DATABASE_URL',
        'FEATURE_STORE_GRPC_URL',
        'FORECAST_HORIZON_DAYS',
        'HTTP_PORT',
        'LOG_LEVEL',
        'NATS_NAMESPACE',
      ].sort(),
    );
    expect((error as Error).message).toContain('Invalid configuration for dss');
    expect((error as Error).message).toContain('DATABASE_URL: expected a URL with scheme postgres or postgresql');
  });

  it('ignores variables the schema does not know', () => {
    expect(() => loadConfig('dss', schema, { SOMETHING_ELSE: '???' })).not.toThrow();
  });
});
