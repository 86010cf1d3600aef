import type { JsonValue } from '../artifact/artifact.codec';
import { RecsysError } from '../core/recsys.errors';
import type { Rng } from '../math/rng';

/** One hyper-parameter: its type, default, valid range, and the range a hyper-parameter search samples from. */
export type ParamSpec =
  | {
      type: 'number';
      default: number;
      min?: number;
      max?: number;
      integer?: boolean;
      search?: { min: number; max: number; log?: boolean };
      doc: string;
    }
  | { type: 'enum'; default: string; values: readonly string[]; search?: readonly string[]; doc: string }
  | { type: 'boolean'; default: boolean; search?: boolean; doc: string }
  | { type: 'json'; default: JsonValue; doc: string };

export type ParamSchema = Record<string, ParamSpec>;

/** Fills defaults and validates; every problem is listed in one error. Unknown keys are errors too (typos). */
export function resolveParams<P>(algorithm: string, schema: ParamSchema, given: Record<string, unknown> = {}): P {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given)) if (!(key in schema)) problems.push(`unknown parameter "${key}"`);
  for (const [key, spec] of Object.entries(schema)) {
    const value = given[key] === undefined ? spec.default : given[key];
    switch (spec.type) {
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) problems.push(`${key} must be a finite number`);
        else if (spec.integer && !Number.isInteger(value)) problems.push(`${key} must be an integer`);
        else if (spec.min !== undefined && value < spec.min) problems.push(`${key} must be >= ${spec.min}`);
        else if (spec.max !== undefined && value > spec.max) problems.push(`${key} must be <= ${spec.max}`);
        break;
      case 'enum':
        if (typeof value !== 'string' || !spec.values.includes(value)) {
          problems.push(`${key} must be one of ${spec.values.join(', ')}`);
        }
        break;
      case 'boolean':
        if (typeof value !== 'boolean') problems.push(`${key} must be a boolean`);
        break;
      case 'json':
        break;
    }
    out[key] = value;
  }
  if (problems.length > 0) {
    throw new RecsysError('RECSYS.BAD_PARAMS', `${algorithm}: ${problems.join('; ')}`);
  }
  return out as P;
}

/** A random point of the schema's search space; parameters without a search range keep their default. */
export function sampleParams(schema: ParamSchema, rng: Rng): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    if (spec.type === 'number' && spec.search) {
      const { min, max, log } = spec.search;
      let v = log
        ? Math.exp(Math.log(min) + rng.next() * (Math.log(max) - Math.log(min)))
        : min + rng.next() * (max - min);
      if (spec.integer) v = Math.round(v);
      out[key] = Number(v.toPrecision(4));
    } else if (spec.type === 'enum' && spec.search && spec.search.length > 0) {
      out[key] = spec.search[rng.int(spec.search.length)];
    } else if (spec.type === 'boolean' && spec.search) {
      out[key] = rng.next() < 0.5;
    }
  }
  return out;
}
