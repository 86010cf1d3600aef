import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ImportReaderError } from './import-reader.error';

const CHUNK_BYTES = 256 * 1024;
const LF = 0x0a;

/** An import file, plain or gzip (told by its magic bytes, whatever its name). */
export interface ImportFile {
  path: string;
  gzip: boolean;
  fileSize: number;
}

/** Uncompressed bytes from a record start, with how much of the file itself has been consumed. */
export interface ImportByteStream {
  chunks: AsyncIterable<Buffer>;
  /** File bytes consumed once the data up to `offset` (uncompressed) has been handed out. */
  bytesRead(offset: number): number;
}

export async function openImportFile(path: string): Promise<ImportFile> {
  const { size } = await stat(path);
  const handle = await open(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return { path, gzip: bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b, fileSize: size };
  } finally {
    await handle.close();
  }
}

/**
 * Streams the uncompressed bytes from `start` on, which must be 0 or a record start (the byte before it
 * is a newline) or the very end of the data. Plain files are read from `start` directly; gzip files are
 * decompressed from the beginning and the first `start` bytes discarded (gzip cannot seek).
 */
export function streamFrom(file: ImportFile, start: number): ImportByteStream {
  return file.gzip ? gzipFrom(file, start) : plainFrom(file, start);
}

function plainFrom(file: ImportFile, start: number): ImportByteStream {
  async function* chunks(): AsyncGenerator<Buffer> {
    if (start > 0) await assertPlainRecordStart(file, start);
    if (start === file.fileSize) return;
    const stream = createReadStream(file.path, { start, highWaterMark: CHUNK_BYTES });
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } finally {
      stream.destroy();
    }
  }
  return { chunks: chunks(), bytesRead: (offset) => offset };
}

async function assertPlainRecordStart(file: ImportFile, start: number): Promise<void> {
  if (start > file.fileSize) throw badOffset(start, `the file has only ${file.fileSize} bytes`);
  if (start === file.fileSize) return;
  const handle = await open(file.path, 'r');
  try {
    const before = Buffer.alloc(1);
    await handle.read(before, 0, 1, start - 1);
    if (before[0] !== LF) throw badOffset(start, 'it is not the start of a line');
  } finally {
    await handle.close();
  }
}

function gzipFrom(file: ImportFile, start: number): ImportByteStream {
  const source = createReadStream(file.path, { highWaterMark: CHUNK_BYTES });
  async function* chunks(): AsyncGenerator<Buffer> {
    // pipeline() destroys both streams when either fails or when the consumer stops early.
    const gunzip = pipeline(source, createGunzip({ chunkSize: CHUNK_BYTES }), () => undefined);
    let position = 0;
    let lastByte = LF;
    try {
      for await (const data of gunzip) {
        const chunk = data as Buffer;
        if (position >= start) {
          if (position === start && lastByte !== LF) throw badOffset(start, 'it is not the start of a line');
          yield chunk;
        } else if (position + chunk.length <= start) {
          lastByte = chunk[chunk.length - 1];
        } else {
          const cut = start - position;
          if (chunk[cut - 1] !== LF) throw badOffset(start, 'it is not the start of a line');
          yield chunk.subarray(cut);
        }
        position += chunk.length;
      }
    } finally {
      gunzip.destroy();
    }
    if (position < start) throw badOffset(start, `the uncompressed data has only ${position} bytes`);
  }
  return { chunks: chunks(), bytesRead: () => source.bytesRead };
}

function badOffset(start: number, why: string): ImportReaderError {
  return new ImportReaderError('IMPORT.BAD_OFFSET', `Cannot resume at byte ${start}: ${why}`);
}
