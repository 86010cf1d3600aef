import { RecsysError } from '../core/recsys.errors';
import { decodeArtifact, encodeArtifact, readArtifactHeader } from './artifact.codec';

describe('artifact codec', () => {
  const input = {
    algorithm: 'test-algo',
    modelVersion: 2,
    params: { lambda: 3 },
    meta: { note: 'x' },
    blobs: {
      f32: Float32Array.from([1.5, -2]),
      f64: Float64Array.from([Math.PI]),
      i32: Int32Array.from([7, -1, 3]),
      u8: Uint8Array.from([1, 2, 3]),
      ids: ['a', 'ü', 'c'],
    },
  };

  it('round-trips header and every blob type', () => {
    const bytes = encodeArtifact(input);
    const a = decodeArtifact(bytes);
    expect(a.header).toMatchObject({
      format: 'recsys-artifact',
      formatVersion: 1,
      algorithm: 'test-algo',
      modelVersion: 2,
    });
    expect(a.header.params).toEqual({ lambda: 3 });
    expect(Array.from(a.blob<Float32Array>('f32'))).toEqual([1.5, -2]);
    expect(a.blob<Float64Array>('f64')[0]).toBe(Math.PI);
    expect(Array.from(a.blob<Int32Array>('i32'))).toEqual([7, -1, 3]);
    expect(Array.from(a.blob<Uint8Array>('u8'))).toEqual([1, 2, 3]);
    expect(a.blob<string[]>('ids')).toEqual(['a', 'ü', 'c']);
    expect(a.has('nope')).toBe(false);
  });

  it('decodes from an unaligned view (e.g. a slice of a larger buffer)', () => {
    const bytes = encodeArtifact(input);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(decodeArtifact(shifted.subarray(3)).blob<Float64Array>('f64')[0]).toBe(Math.PI);
  });

  it('decodes from a Node Buffer inside a larger pool (as pg and gRPC hand bytes over)', () => {
    const bytes = encodeArtifact(input);
    const pooled = Buffer.alloc(bytes.length + 5);
    pooled.set(bytes, 5);
    const a = decodeArtifact(pooled.subarray(5));
    expect(a.blob<Float64Array>('f64')[0]).toBe(Math.PI);
    expect(Array.from(a.blob<Int32Array>('i32'))).toEqual([7, -1, 3]);
  });

  it('detects a flipped payload byte, a bad header and a wrong magic number', () => {
    const bytes = encodeArtifact(input);
    const payload = bytes.slice();
    payload[payload.length - 5] ^= 0xff;
    expect(() => decodeArtifact(payload)).toThrow(/payload checksum/);
    const header = bytes.slice();
    header[20] ^= 0x01;
    expect(() => readArtifactHeader(header)).toThrow(/header checksum/);
    const magic = bytes.slice();
    magic[0] = 0;
    expect(() => decodeArtifact(magic)).toThrow(RecsysError);
    expect(() => decodeArtifact(bytes.subarray(0, bytes.length - 8))).toThrow(/truncated/);
  });
});
