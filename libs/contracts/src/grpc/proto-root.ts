import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A file only our proto/ folder has, so an unrelated `proto/` folder on the way up is never taken. */
const MARKER = join('grpc', 'health', 'v1', 'health.proto');

let cached: string | undefined;

/**
 * Absolute path of the repository's `proto/` folder: the include directory for every .proto load.
 * Found by walking up from this file, so it works from source (ts-jest, ts-node) and from the
 * compiled `dist/libs/contracts/src/grpc/` alike; deployments ship `proto/` next to `dist/`.
 */
export function protoRoot(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, MARKER))) {
      cached = candidate;
      return candidate;
    }
    if (dirname(dir) === dir) break;
  }
  throw new Error(`proto/ folder (with ${MARKER}) not found in any parent of ${__dirname}; ship proto/ next to dist/`);
}
