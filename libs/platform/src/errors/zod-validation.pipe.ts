import { PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { FieldViolation, ValidationError } from './domain-error';

/** Turns zod issues into field violations with paths like `events[3].quantity`. */
export function zodViolations(error: z.ZodError): FieldViolation[] {
  return error.issues.map((issue) => ({
    field:
      issue.path.reduce<string>(
        (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
        '',
      ) || '(body)',
    message: issue.message,
  }));
}

/** Parses input with a schema or throws a ValidationError naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(zodViolations(result.error));
  return result.data;
}

/** Validates a request body or gRPC message with a zod schema; works on both transports. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    return parseOrThrow(this.schema, value);
  }
}
