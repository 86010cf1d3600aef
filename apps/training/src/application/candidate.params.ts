import type { FieldViolation } from '@app/platform/errors';
import { defaultRegistry, readArtifactHeader } from '@app/recsys';
import type { CandidateSpec, ParamValue } from '../domain/run';

/**
 * The API carries parameters as numbers, strings and flags; the library's `json` parameters (e.g. the hybrid's
 * `sources`) travel as JSON strings and are parsed here.
 */
export function resolveParams(spec: CandidateSpec): Record<string, unknown> {
  const schema = defaultRegistry.get(spec.algorithm).schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec.params)) {
    out[key] = schema[key]?.type === 'json' && typeof value === 'string' ? JSON.parse(value) : value;
  }
  return out;
}

/** Problems with one candidate, named by field: unknown algorithm, unknown or out-of-range parameters. */
export function candidateViolations(spec: CandidateSpec, field: string): FieldViolation[] {
  if (!defaultRegistry.has(spec.algorithm)) {
    return [
      { field: `${field}.algorithm`, message: `unknown algorithm; known: ${defaultRegistry.names().join(', ')}` },
    ];
  }
  try {
    defaultRegistry.create(spec.algorithm, resolveParams(spec));
    return [];
  } catch (err) {
    return [{ field: `${field}.params`, message: err instanceof Error ? err.message : String(err) }];
  }
}

/** The resolved parameters a fitted model carries in its artifact header, as API values. */
export function artifactParams(artifact: Uint8Array): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [key, value] of Object.entries(readArtifactHeader(artifact).params)) {
    out[key] =
      typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean'
        ? value
        : JSON.stringify(value);
  }
  return out;
}
