import { RecsysError } from '../core/recsys.errors';
import { crc32 } from '../math/crc32';

/**
 * Model artifact layout (little-endian), version 1:
 *
 *   0  magic "RSYS"            4  header byte length (u32)   8  CRC-32 of the header bytes   12  CRC-32 of the payload
 *   16 header: UTF-8 JSON {@link ArtifactHeader}, zero-padded to a multiple of 8
 *   .. payload: the blobs back to back, each starting on an 8-byte boundary
 *
 * A JSON header keeps the artifact inspectable (algorithm, params, sizes) without decoding the payload; typed-array
 * blobs keep large factors and similarity matrices compact and fast to load. Both checksums are verified on decode.
 */
export const ARTIFACT_FORMAT = 'recsys-artifact';
export const ARTIFACT_FORMAT_VERSION = 1;
const MAGIC = [0x52, 0x53, 0x59, 0x53]; // "RSYS"
const PREFIX = 16;

export type BlobValue = Float32Array | Float64Array | Int32Array | Uint8Array | JsonValue;
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type BlobType = 'f32' | 'f64' | 'i32' | 'u8' | 'json';

export interface BlobEntry {
  name: string;
  type: BlobType;
  /** Byte offset within the payload. */
  offset: number;
  byteLength: number;
}

export interface ArtifactHeader {
  format: typeof ARTIFACT_FORMAT;
  formatVersion: number;
  algorithm: string;
  /** Version of the algorithm's own blob layout, so a model can evolve without a new container format. */
  modelVersion: number;
  params: Record<string, unknown>;
  /** Free-form facts: sizes, fit time, engine, training window. */
  meta: Record<string, unknown>;
  createdAt: string;
  blobs: BlobEntry[];
  payloadBytes: number;
}

export interface ArtifactInput {
  algorithm: string;
  modelVersion: number;
  params: Record<string, unknown>;
  meta?: Record<string, unknown>;
  blobs: Record<string, BlobValue>;
}

export interface DecodedArtifact {
  header: ArtifactHeader;
  blob<T extends BlobValue>(name: string): T;
  has(name: string): boolean;
}

const pad8 = (n: number): number => (n + 7) & ~7;

function blobBytes(value: BlobValue): { type: BlobType; bytes: Uint8Array } {
  if (value instanceof Float32Array)
    return { type: 'f32', bytes: new Uint8Array(value.buffer, value.byteOffset, value.byteLength) };
  if (value instanceof Float64Array)
    return { type: 'f64', bytes: new Uint8Array(value.buffer, value.byteOffset, value.byteLength) };
  if (value instanceof Int32Array)
    return { type: 'i32', bytes: new Uint8Array(value.buffer, value.byteOffset, value.byteLength) };
  if (value instanceof Uint8Array) return { type: 'u8', bytes: value };
  return { type: 'json', bytes: new TextEncoder().encode(JSON.stringify(value)) };
}

export function encodeArtifact(input: ArtifactInput): Uint8Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new RecsysError('RECSYS.BAD_DATA', 'artifacts are little-endian; this platform is not');
  }
  const entries: BlobEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, value] of Object.entries(input.blobs)) {
    const { type, bytes } = blobBytes(value);
    entries.push({ name, type, offset, byteLength: bytes.byteLength });
    parts.push(bytes);
    offset = pad8(offset + bytes.byteLength);
  }
  const header: ArtifactHeader = {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    algorithm: input.algorithm,
    modelVersion: input.modelVersion,
    params: input.params,
    meta: input.meta ?? {},
    createdAt: new Date().toISOString(),
    blobs: entries,
    payloadBytes: offset,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const headerSpan = pad8(headerBytes.byteLength);
  const out = new Uint8Array(PREFIX + headerSpan + offset);
  out.set(MAGIC, 0);
  out.set(headerBytes, PREFIX);
  const payloadStart = PREFIX + headerSpan;
  entries.forEach((e, k) => out.set(parts[k], payloadStart + e.offset));
  const view = new DataView(out.buffer);
  view.setUint32(4, headerBytes.byteLength, true);
  view.setUint32(8, crc32(headerBytes), true);
  view.setUint32(12, crc32(out.subarray(payloadStart)), true);
  return out;
}

/** Reads and checks only the header: cheap, for listing or routing artifacts. */
export function readArtifactHeader(bytes: Uint8Array): ArtifactHeader {
  if (bytes.byteLength < PREFIX || MAGIC.some((m, k) => bytes[k] !== m)) {
    throw new RecsysError('RECSYS.ARTIFACT_CORRUPT', 'not a recsys artifact (bad magic number)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4, true);
  if (PREFIX + headerLength > bytes.byteLength) {
    throw new RecsysError('RECSYS.ARTIFACT_CORRUPT', 'artifact is truncated (header)');
  }
  const headerBytes = bytes.subarray(PREFIX, PREFIX + headerLength);
  if (crc32(headerBytes) !== view.getUint32(8, true)) {
    throw new RecsysError('RECSYS.ARTIFACT_CORRUPT', 'artifact header checksum mismatch');
  }
  const header = JSON.parse(new TextDecoder().decode(headerBytes)) as ArtifactHeader;
  if (header.format !== ARTIFACT_FORMAT) {
    throw new RecsysError('RECSYS.ARTIFACT_CORRUPT', `unknown artifact format ${String(header.format)}`);
  }
  if (header.formatVersion > ARTIFACT_FORMAT_VERSION) {
    throw new RecsysError(
      'RECSYS.ARTIFACT_VERSION',
      `artifact format version ${header.formatVersion} is newer than this library's ${ARTIFACT_FORMAT_VERSION}`,
    );
  }
  return header;
}

export function decodeArtifact(bytes: Uint8Array): DecodedArtifact {
  const header = readArtifactHeader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const payloadStart = PREFIX + pad8(view.getUint32(4, true));
  const payload = bytes.subarray(payloadStart);
  if (payload.byteLength !== header.payloadBytes) {
    throw new RecsysError('RECSYS.ARTIFACT_CORRUPT', 'artifact is truncated (payload)');
  }
  if (crc32(payload) !== view.getUint32(12, true)) {
    throw new RecsysError('RECSYS.ARTIFACT_CORRUPT', 'artifact payload checksum mismatch');
  }
  const byName = new Map(header.blobs.map((b) => [b.name, b]));
  return {
    header,
    has: (name) => byName.has(name),
    blob<T extends BlobValue>(name: string): T {
      const e = byName.get(name);
      if (!e) throw new RecsysError('RECSYS.ARTIFACT_CORRUPT', `artifact has no blob "${name}"`);
      // slice() copies into a fresh, aligned ArrayBuffer: typed-array views need their byte offset aligned.
      // Uint8Array's own slice: a Node Buffer's slice() is a view, not a copy (bytes from pg or gRPC are Buffers).
      const raw = Uint8Array.prototype.slice.call(payload, e.offset, e.offset + e.byteLength);
      switch (e.type) {
        case 'f32':
          return new Float32Array(raw.buffer) as T;
        case 'f64':
          return new Float64Array(raw.buffer) as T;
        case 'i32':
          return new Int32Array(raw.buffer) as T;
        case 'u8':
          return raw as T;
        case 'json':
          return JSON.parse(new TextDecoder().decode(raw)) as T;
      }
    },
  };
}
