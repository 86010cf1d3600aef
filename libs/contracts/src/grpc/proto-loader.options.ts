import type { Options } from '@grpc/proto-loader';
import { protoRoot } from './proto-root';

/**
 * How @grpc/proto-loader turns messages into plain objects, for servers and clients alike. Each
 * choice matches an option in buf.gen.yaml, so the generated types describe the runtime objects:
 * - keepCase: false  -> camelCase keys            (ts-proto snakeToCamel=true)
 * - longs: Number    -> int64 as number           (ts-proto forceLong=number)
 * - enums: String    -> enum value names          (ts-proto stringEnums=true; unknown values arrive as numbers)
 * - defaults: true   -> unset scalars are 0 / "" / false, unset message fields are null
 *                       (ts-proto useNullAsOptional=true: `field?: Msg | null`)
 * - arrays / objects -> unset repeated fields are [], unset maps are {}
 * - oneofs: true     -> also sets a virtual property named after the oneof to the member's name
 *                       (not in the generated types, harmless). Unset oneof members and proto3
 *                       `optional` fields are absent, matching their optional types.
 * - bytes            -> Buffer (the default; ts-proto env=node)
 * Timestamps stay { seconds, nanos } on both sides (ts-proto useDate=false); see ./timestamp.
 */
export const PROTO_LOADER_OPTIONS: Readonly<Options & { includeDirs: string[] }> = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  arrays: true,
  objects: true,
  includeDirs: [protoRoot()],
};
