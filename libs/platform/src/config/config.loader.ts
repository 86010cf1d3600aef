import { z } from 'zod';

/** Thrown at start-up when the environment is wrong; lists every bad variable at once. */
export class ConfigValidationError extends Error {
  constructor(
    readonly app: string,
    readonly problems: ReadonlyArray<{ variable: string; message: string }>,
  ) {
    super(`Invalid configuration for ${app}:\n` + problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'));
    this.name = 'ConfigValidationError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Builds one typed config object from the environment. The schema's keys are the variable names;
 * empty strings count as unset so `FOO=` in a .env file falls back to the default.
 */
export function loadConfig<S extends z.ZodObject>(app: string, schema: S, env: Env = process.env): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({
      variable: issue.path.map(String).join('.') || '(root)',
      message: issue.message,
    }));
    throw new ConfigValidationError(app, problems);
  }
  return result.data;
}
