import { TemplateSet } from './go-template.engine';
import { formatFloat, GoValue } from './go-template.values';
import { sprintf, TEMPLATE_FUNCTIONS, toYaml } from './template.functions';

function render(src: string, data: GoValue = {}): string {
  const set = new TemplateSet(TEMPLATE_FUNCTIONS);
  set.add('t.yaml', src);
  return set.execute('t.yaml', data);
}

function renderError(src: string, data: GoValue = {}): string {
  try {
    render(src, data);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(src)} to fail`);
}

describe('template functions', () => {
  describe('toYaml', () => {
    it('writes sorted keys, unindented sequences and no trailing newline, like sigs.k8s.io/yaml', () => {
      expect(toYaml({ requests: { memory: '256Mi', cpu: '250m' }, drop: ['ALL'], empty: {}, none: [] })).toBe(
        'drop:\n- ALL\nempty: {}\nnone: []\nrequests:\n  cpu: 250m\n  memory: 256Mi',
      );
    });

    it('quotes strings that YAML 1.1 would read as something else', () => {
      expect(toYaml({ a: 'yes', b: '3001', c: 'true', d: 'on', e: 'plain', n: 'x' })).toBe(
        'a: "yes"\nb: "3001"\nc: "true"\nd: "on"\ne: plain\n"n": x',
      );
    });

    it('writes numbers whole (no exponent, unlike printing) and multi-line strings as blocks', () => {
      expect(toYaml({ big: 8388608, int: 5n, s: 'one\ntwo' })).toBe('big: 8388608\nint: 5\ns: |-\n  one\n  two');
    });

    it('composes with nindent into a manifest', () => {
      const src = 'resources:\n  {{- toYaml .r | nindent 2 }}\n';
      expect(render(src, { r: { limits: { cpu: '1' } } })).toBe('resources:\n  limits:\n    cpu: "1"\n');
    });
  });

  describe('indent and nindent', () => {
    it('pad every line; nindent starts with a newline', () => {
      expect(render('{{ indent 2 "a\\nb" }}|{{ nindent 4 "c" }}')).toBe('  a\n  b|\n    c');
    });

    it('want a Go int: a float64 from values is an error', () => {
      expect(renderError('{{ nindent .n "x" }}', { n: 2 })).toContain('expected int; got float64');
    });
  });

  describe('quote, toString, int', () => {
    it('quote writes Go-quoted strings of any value, and nothing for nil', () => {
      expect(
        render(
          '{{ quote "say \\"hi\\"" }} {{ quote 3001 }} {{ quote .b }} [{{ quote .missing }}] {{ quote "a" "b" }}',
          { b: true },
        ),
      ).toBe('"say \\"hi\\"" "3001" "true" [] "a" "b"');
    });

    it('toString prints like %v, so big float64s get an exponent; int makes them whole', () => {
      expect(render('{{ toString .n }} {{ int .n | toString }} {{ toString .missing }}', { n: 1000000 })).toBe(
        '1e+06 1000000 <nil>',
      );
    });

    it('int truncates floats, parses strings and gives 0 for anything else', () => {
      expect(
        render('{{ int 3.9 }} {{ int "42" }} {{ int "0x10" }} {{ int "abc" }} {{ int .missing }} {{ int true }}'),
      ).toBe('3 42 16 0 0 1');
    });
  });

  describe('default, empty, required, fail', () => {
    it('default replaces empty values only', () => {
      expect(
        render('{{ default "d" .a }} {{ default "d" .b }} {{ default "d" .c }} {{ default "d" .e }}', {
          a: '',
          b: 0,
          c: false,
          e: 'kept',
        }),
      ).toBe('d d d kept');
      expect(render('{{ empty .l }} {{ empty .m }}', { l: [], m: { a: 1 } })).toBe('true false');
    });

    it('required fails on nil and empty strings with the message given', () => {
      expect(renderError('{{ required "x is required" .x }}')).toContain('x is required');
      expect(renderError('{{ required "x is required" .x }}', { x: '' })).toContain('x is required');
      expect(render('{{ required "x" .x }}', { x: 0 })).toBe('0');
    });

    it('fail stops the render', () => {
      expect(renderError('{{ fail "stop here" }}')).toBe('template: t.yaml:1: error calling fail: stop here');
    });
  });

  describe('printf', () => {
    it('formats %s %d %v %q %% and widths', () => {
      expect(sprintf('%s:%d %v %q 100%% [%-5s] [%3d]', ['h', 80n, 0.5, 'q', 'ab', 7n])).toBe(
        'h:80 0.5 "q" 100% [ab   ] [  7]',
      );
    });

    it('writes what Go writes for wrong or missing operands', () => {
      expect(sprintf('%d', [3001])).toBe('%!d(float64=3001)');
      expect(sprintf('%s', [5n])).toBe('%!s(int=5)');
      expect(sprintf('%s %s', ['a'])).toBe('a %!s(MISSING)');
      expect(sprintf('%s', ['a', 'b'])).toBe('a%!(EXTRA string=b)');
    });

    it('refuses verbs it does not implement', () => {
      expect(() => sprintf('%x', [1n])).toThrow('unsupported printf verb %x');
    });
  });

  describe('strings', () => {
    it('trunc, trimSuffix, trimPrefix, replace, lower, upper, contains, hasPrefix', () => {
      expect(
        render(
          '{{ trunc 3 "abcdef" }} {{ trunc -2 "abcdef" }} {{ trimSuffix "-" "name-" }} {{ trimPrefix "v" "v1" }} {{ replace "+" "_" "1+2" }} {{ lower "AbC" }} {{ upper "x" }} {{ contains "eco" "retail-reco" }} {{ hasPrefix "re" "retail" }}',
        ),
      ).toBe('abc ef name 1 1_2 abc X true true');
    });

    it('b64enc and sha256sum', () => {
      expect(render('{{ b64enc "postgres://u:p@h/db" }} {{ sha256sum "abc" | trunc 12 }}')).toBe(
        'cG9zdGdyZXM6Ly91OnBAaC9kYg== ba7816bf8f01',
      );
    });

    it('want strings: numbers and nil are errors, as in Go', () => {
      expect(renderError('{{ lower 3 }}')).toContain('wrong type for value; expected string; got int');
      expect(renderError('{{ lower .missing }}')).toContain('invalid value; expected string');
    });
  });

  describe('collections', () => {
    it('dict, list, hasKey, index, len', () => {
      expect(
        render(
          '{{ $d := dict "a" 1 "b-c" "x" }}{{ hasKey $d "a" }} {{ hasKey $d "z" }} {{ index $d "b-c" }} {{ len $d }} {{ index (list "p" "q") 1 }} {{ len "héllo" }}',
        ),
      ).toBe('true false x 2 q 6');
    });

    it('fromYaml turns a rendered map back into values', () => {
      expect(
        render('{{ $m := "B: \\"2\\"\\nA: \'1\'" | fromYaml }}{{ range $k, $v := $m }}{{ $k }}={{ $v }};{{ end }}'),
      ).toBe('A=1;B=2;');
    });
  });

  describe('comparisons and logic', () => {
    it('eq takes several candidates; ne, lt, gt, not', () => {
      expect(render('{{ eq "b" "a" "b" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ gt "a" "b" }} {{ not "" }}')).toBe(
        'true true true false true',
      );
    });
  });

  it('formats float64 as Go %v', () => {
    expect([0, 1, 123456, 1234567, 0.0001, 0.00001, -2.5e-7, 1e21].map(formatFloat)).toEqual([
      '0',
      '1',
      '123456',
      '1.234567e+06',
      '0.0001',
      '1e-05',
      '-2.5e-07',
      '1e+21',
    ]);
  });
});
