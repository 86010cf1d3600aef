import { parseCsvFields } from './csv-fields.parser';

describe(parseCsvFields.name, () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['', ['']],
    ['a,,', ['a', '', '']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['"",""""', ['', '"']],
    ['"two\nlines",x', ['two\nlines', 'x']],
    ['7" FRAME,x', ['7" FRAME', 'x']],
    ['x,"last"', ['x', 'last']],
  ])('splits %j', (text, fields) => {
    expect(parseCsvFields(text)).toEqual({ ok: true, fields });
  });

  it('rejects text after a closing quote', () => {
    expect(parseCsvFields('"abc"def,x')).toEqual({
      ok: false,
      code: 'BAD_QUOTE',
      message: 'field 1 has text after its closing quote',
    });
  });

  it('rejects an unclosed quoted field', () => {
    expect(parseCsvFields('a,"open')).toEqual(expect.objectContaining({ ok: false, code: 'UNTERMINATED_QUOTE' }));
  });
});
