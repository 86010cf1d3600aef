import { z } from 'zod';

/** Reusable variable parsers: each accepts the raw string from the environment. */
export const port = (def: number) => z.coerce.number().int().min(0).max(65535).default(def);

export const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const positiveInt = (def: number) => z.coerce.number().int().positive().default(def);

export const url = (protocols: string[], def?: string) => {
  const base = z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `expected a URL with scheme ${protocols.join(' or ')}` },
  );
  return def === undefined ? base : base.default(def);
};

/** host:port, as gRPC targets are written. */
export const hostPort = (def: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, { message: 'expected host:port' })
    .default(def);

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

export const nodeEnv = z.enum(['development', 'test', 'production']).default('development');
