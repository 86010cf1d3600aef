import { ImportReaderError } from './import-reader.error';

/** One logical record (a line, or several lines joined by a quoted CSV field) and where it ends. */
export interface RawRecord {
  /** Decoded text without its line ending (and without a leading UTF-8 BOM at offset 0). */
  text: string;
  /** Byte offset just after the record's line ending: where the next record starts. */
  end: number;
  /** The file ended inside a quoted field. */
  unterminatedQuote: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const BOM_LAST = 0xbf;
const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * Cuts a byte stream into records and tracks the byte offset of each record's end, so a reader can
 * resume exactly at a record start. Works on bytes (not strings) so offsets are exact and multi-byte
 * characters split between chunks are decoded whole.
 *
 * In `quoteAware` (CSV) mode a newline inside a quoted field does not end the record. As in common
 * lenient CSV readers, a quote opens a quoted field only at the start of a field (after a comma, at the
 * start of the record, or right after a closing quote — that is a doubled `""`); elsewhere it is a plain
 * character, so `12" SINGLE` does not swallow the rest of the file. `parseCsvFields` follows the same rule.
 */
export class RecordSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private offset: number;
  private inQuotes = false;
  private lastCloseAt = -2;
  private prevByte = LF;
  private first: boolean;
  private recordStart: number;

  constructor(
    private readonly streamStart: number,
    private readonly quoteAware: boolean,
    private readonly maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
  ) {
    this.offset = streamStart;
    this.first = streamStart === 0;
    this.recordStart = streamStart;
  }

  push(chunk: Buffer): RawRecord[] {
    const out: RawRecord[] = [];
    const len = chunk.length;
    let pos = 0;
    let nextQuote = this.quoteAware ? chunk.indexOf(QUOTE) : -1;
    while (pos < len) {
      const nl = chunk.indexOf(LF, pos);
      const segmentEnd = nl === -1 ? len : nl;
      while (nextQuote !== -1 && nextQuote < segmentEnd) {
        this.onQuote(chunk, nextQuote);
        nextQuote = chunk.indexOf(QUOTE, nextQuote + 1);
      }
      if (nl === -1) {
        this.keep(chunk.subarray(pos));
        break;
      }
      if (this.inQuotes) {
        this.keep(chunk.subarray(pos, nl + 1));
      } else {
        out.push(this.take(chunk.subarray(pos, nl), this.offset + nl + 1, false));
      }
      pos = nl + 1;
    }
    if (len > 0) this.prevByte = chunk[len - 1];
    this.offset += len;
    return out;
  }

  /** The last record, when the stream does not end with a newline (or ends inside quotes). */
  end(): RawRecord[] {
    if (this.pendingBytes === 0) return [];
    return [this.take(Buffer.alloc(0), this.offset, this.inQuotes)];
  }

  private onQuote(chunk: Buffer, at: number): void {
    const abs = this.offset + at;
    if (this.inQuotes) {
      this.inQuotes = false;
      this.lastCloseAt = abs;
      return;
    }
    const prev = at > 0 ? chunk[at - 1] : this.prevByte;
    const fieldStart =
      abs === this.streamStart ||
      prev === COMMA ||
      prev === LF ||
      abs === this.lastCloseAt + 1 ||
      (abs === 3 && this.streamStart === 0 && prev === BOM_LAST);
    if (fieldStart) this.inQuotes = true;
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    this.pendingBytes += part.length;
    if (this.pendingBytes > this.maxRecordBytes) {
      throw new ImportReaderError(
        'IMPORT.RECORD_TOO_LONG',
        `The record starting at byte ${this.recordStart} is longer than ` +
          `${this.maxRecordBytes} bytes${this.quoteAware ? ' (an unclosed quoted field?)' : ''}`,
      );
    }
    // Copy: the caller may reuse the chunk's memory once push() returns.
    this.pending.push(Buffer.from(part));
  }

  private take(tail: Buffer, end: number, unterminatedQuote: boolean): RawRecord {
    let bytes = tail;
    if (this.pendingBytes > 0) {
      bytes = Buffer.concat([...this.pending, tail], this.pendingBytes + tail.length);
      this.pending = [];
      this.pendingBytes = 0;
    }
    this.recordStart = end;
    let stop = bytes.length;
    if (stop > 0 && bytes[stop - 1] === CR) stop -= 1;
    let text = bytes.toString('utf8', 0, stop);
    if (this.first) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return { text, end, unterminatedQuote };
  }
}
