import { LinePrefixer, LineTail, shouldColour } from './log-lines';

describe(LinePrefixer.name, () => {
  it('pads every name to the longest, without colour for a pipe', () => {
    const prefixer = new LinePrefixer(['ingestion', 'recommendation', 'dss'], false);
    expect(prefixer.prefix('dss', 'hello')).toBe('dss            | hello');
    expect(prefixer.prefix('recommendation', 'hi')).toBe('recommendation | hi');
  });

  it('colours each app differently in a terminal', () => {
    const prefixer = new LinePrefixer(['a', 'b'], true);
    const first = prefixer.prefix('a', 'x', 'app', 0);
    const second = prefixer.prefix('b', 'x', 'app', 1);
    expect(first.startsWith('\x1b[')).toBe(true);
    expect(first.slice(0, 5)).not.toBe(second.slice(0, 5));
    expect(first.endsWith('\x1b[0m x')).toBe(true);
  });
});

describe('shouldColour', () => {
  it('colours only a terminal, and never with NO_COLOR', () => {
    expect(shouldColour(true, {})).toBe(true);
    expect(shouldColour(false, {})).toBe(false);
    expect(shouldColour(undefined, {})).toBe(false);
    expect(shouldColour(true, { NO_COLOR: '1' })).toBe(false);
  });
});

describe(LineTail.name, () => {
  it('keeps only the last lines', () => {
    const tail = new LineTail(3);
    for (const line of ['1', '2', '3', '4', '5']) tail.push(line);
    expect(tail.last(10)).toEqual(['3', '4', '5']);
    expect(tail.last(2)).toEqual(['4', '5']);
  });
});
