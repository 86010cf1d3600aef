import { gunzipSync, gzipSync } from 'node:zlib';
import type { TrainingSnapshot } from '../domain/training-snapshot';

/**
 * The checkpoint form of a fetched training set: gzip of a JSON header (ids, catalogue, meta) followed by the
 * four columns' raw bytes. Decoding copies each column out, so alignment never matters.
 */
interface Header {
  snapshotId: string;
  asOf: string;
  windowStart?: string;
  catalog: TrainingSnapshot['catalog'];
  userIds: string[];
  itemIds: string[];
  rows: number;
}

export function encodeSnapshot(s: TrainingSnapshot): Buffer {
  const header: Header = {
    snapshotId: s.snapshotId,
    asOf: s.asOf.toISOString(),
    windowStart: s.windowStart?.toISOString(),
    catalog: s.catalog,
    userIds: s.userIds,
    itemIds: s.itemIds,
    rows: s.user.length,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const column = (a: Int32Array | Float32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return gzipSync(Buffer.concat([length, json, column(s.user), column(s.item), column(s.weight), column(s.time)]));
}

export function decodeSnapshot(bytes: Buffer): TrainingSnapshot {
  const raw = gunzipSync(bytes);
  const headerLength = raw.readUInt32LE(0);
  const header = JSON.parse(raw.subarray(4, 4 + headerLength).toString('utf8')) as Header;
  let offset = 4 + headerLength;
  const take = (bytesPer: number) => {
    const part = new Uint8Array(header.rows * bytesPer);
    part.set(raw.subarray(offset, offset + part.length));
    offset += part.length;
    return part.buffer;
  };
  return {
    snapshotId: header.snapshotId,
    asOf: new Date(header.asOf),
    windowStart: header.windowStart ? new Date(header.windowStart) : undefined,
    catalog: header.catalog,
    userIds: header.userIds,
    itemIds: header.itemIds,
    user: new Int32Array(take(4)),
    item: new Int32Array(take(4)),
    weight: new Float32Array(take(4)),
    time: new Float64Array(take(8)),
  };
}
