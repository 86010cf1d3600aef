import { RawRecord, RecordSplitter } from './record.splitter';

/** Feeds `input` in chunks cut at `cuts` and returns every record. */
function split(input: Buffer | string, quoteAware: boolean, cuts: number[] = [], streamStart = 0): RawRecord[] {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const splitter = new RecordSplitter(streamStart, quoteAware);
  const out: RawRecord[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...splitter.push(bytes.subarray(from, cut)));
    from = cut;
  }
  return [...out, ...splitter.end()];
}

const rec = (text: string, end: number, unterminatedQuote = false): RawRecord => ({ text, end, unterminatedQuote });

describe(RecordSplitter.name, () => {
  it('cuts lines and gives the offset just after each line ending', () => {
    expect(split('a,b\ncd\n\nlast', false)).toEqual([rec('a,b', 4), rec('cd', 7), rec('', 8), rec('last', 12)]);
  });

  it('drops the \\r of CRLF endings but counts its byte', () => {
    expect(split('a\r\nb\r\n', false)).toEqual([rec('a', 3), rec('b', 6)]);
  });

  it('drops a UTF-8 BOM at offset 0 but keeps its bytes in the offsets', () => {
    expect(split('\uFEFFid,name\n1,x\n', true)).toEqual([rec('id,name', 11), rec('1,x', 15)]);
  });

  it('does not drop a BOM-like character when the stream starts past offset 0', () => {
    expect(split('\uFEFFx\n', false, [], 10)).toEqual([rec('\uFEFFx', 15)]);
  });

  it('keeps newlines inside quoted fields in quote-aware mode only', () => {
    const input = 'id,text\n1,"two\nlines"\n2,"a ""quoted"" word\r\nand CRLF"\n';
    expect(split(input, true)).toEqual([
      rec('id,text', 8),
      rec('1,"two\nlines"', 22),
      rec('2,"a ""quoted"" word\r\nand CRLF"', 54),
    ]);
    expect(split('1,"two\nlines"\n', false).map((r) => r.text)).toEqual(['1,"two', 'lines"']);
  });

  it('treats a quote inside an unquoted field as a plain character', () => {
    expect(split('1,RECORD 7" FRAME,2\n2,x\n', true).map((r) => r.text)).toEqual(['1,RECORD 7" FRAME,2', '2,x']);
  });

  it('reopens the quote after a doubled quote, even when the pair is split between chunks', () => {
    const input = '1,"say ""hi\nthere"""\n2,b\n';
    const whole = split(input, true);
    expect(whole).toEqual([rec('1,"say ""hi\nthere"""', 21), rec('2,b', 25)]);
    for (let cut = 1; cut < input.length; cut += 1) expect(split(input, true, [cut])).toEqual(whole);
  });

  it('gives the same records whatever the chunk boundaries, multi-byte characters included', () => {
    const input = '\uFEFFname,note\r\n"Café, ""é""",x\r\n"multi\r\nline ✓",y\r\n\r\nlast,z';
    const whole = split(input, true);
    expect(whole.map((r) => r.text)).toEqual(['name,note', '"Café, ""é""",x', '"multi\r\nline ✓",y', '', 'last,z']);
    const length = Buffer.byteLength(input);
    for (let a = 1; a < length; a += 1) {
      expect(split(input, true, [a])).toEqual(whole);
      expect(split(input, true, [Math.floor(a / 2), a])).toEqual(whole);
    }
    const oneByte = Array.from({ length: length - 1 }, (_, i) => i + 1);
    expect(split(input, true, oneByte)).toEqual(whole);
  });

  it('reports a file that ends inside a quoted field', () => {
    expect(split('1,ok\n2,"never closed\n3,x\n', true)).toEqual([
      rec('1,ok', 5),
      rec('2,"never closed\n3,x\n', 25, true),
    ]);
  });

  it('refuses a record longer than the limit instead of buffering without end', () => {
    const splitter = new RecordSplitter(0, true, 16);
    expect(() => splitter.push(Buffer.from('ok\n"this quoted field never closes'))).toThrow(
      expect.objectContaining({ code: 'IMPORT.RECORD_TOO_LONG' }),
    );
  });
});
