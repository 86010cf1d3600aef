import { TemplateSet } from './go-template.engine';
import { GoMap, GoValue } from './go-template.values';
import { TEMPLATE_FUNCTIONS } from './template.functions';

/** Renders `src` as a file of its own, with `helpers` (define blocks) parsed beside it. */
function render(src: string, data: GoValue = {}, helpers = ''): string {
  const set = new TemplateSet(TEMPLATE_FUNCTIONS);
  if (helpers) set.add('_helpers.tpl', helpers);
  set.add('t.yaml', src);
  return set.execute('t.yaml', data);
}

function renderError(src: string, data: GoValue = {}, helpers = ''): string {
  try {
    render(src, data, helpers);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(src)} to fail`);
}

describe(TemplateSet.name, () => {
  describe('text and printing', () => {
    it('copies text and prints values as Go does (floats from YAML in %v form, ints in full)', () => {
      const data: GoMap = { s: 'x', port: 3001, big: 8388608, tiny: 0.00001, half: 0.5, yes: true, none: null };
      expect(render('{{ .s }} {{ .port }} {{ .big }} {{ .tiny }} {{ .half }} {{ .yes }} {{ 8388608 }}', data)).toBe(
        'x 3001 8.388608e+06 1e-05 0.5 true 8388608',
      );
      expect(render('[{{ .none }}][{{ .missing }}]', data)).toBe('[<no value>][<no value>]');
      expect(render('{{ .m }} {{ .l }}', { m: { b: 2, a: 'x' }, l: [1, 'y'] })).toBe('map[a:x b:2] [1 y]');
    });

    it('reads string escapes and raw strings', () => {
      expect(render('{{ "a\\tb\\"c\\\\" }}|{{ `raw\\n` }}|{{ "\\u00e9\\x41" }}')).toBe('a\tb"c\\|raw\\n|éA');
    });
  });

  describe('trimming', () => {
    it('removes all white space, newlines included, on the marked side only', () => {
      expect(render('a  \n {{- "x" -}} \n\n b')).toBe('ax' + 'b');
      expect(render('a  {{- "x" }}  b')).toBe('ax  b');
      expect(render('a  {{ "x" -}}  \n b')).toBe('a  xb');
    });

    it('needs a space after the dash: {{-3}} is the number -3', () => {
      expect(render('a {{-3}} b')).toBe('a -3 b');
    });

    it('drops comments, trimming around them when asked', () => {
      expect(render('a {{/* note */}} b')).toBe('a  b');
      expect(render('a\n{{- /* note */ -}}\nb')).toBe('ab');
    });

    it('gives the usual YAML shape for `{{- if }}` blocks', () => {
      const src = 'spec:\n  {{- if .on }}\n  replicas: 2\n  {{- end }}\n  x: 1\n';
      expect(render(src, { on: true })).toBe('spec:\n  replicas: 2\n  x: 1\n');
      expect(render(src, { on: false })).toBe('spec:\n  x: 1\n');
    });
  });

  describe('if / else if / else', () => {
    const src = '{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}';

    it('takes the first true branch', () => {
      expect(render(src, { a: 1, b: 1 })).toBe('A');
      expect(render(src, { a: 0, b: 'x' })).toBe('B');
      expect(render(src, { a: 0, b: '' })).toBe('C');
    });

    it.each<[string, GoValue, boolean]>([
      ['false', false, false],
      ['0', 0, false],
      ['empty string', '', false],
      ['empty list', [], false],
      ['empty map', {}, false],
      ['nil', null, false],
      ['"0"', '0', true],
      ['[0]', [0], true],
      ['{a: nil}', { a: null }, true],
      ['0.5', 0.5, true],
    ])('treats %s as %s', (_, value, truth) => {
      expect(render('{{ if .v }}yes{{ else }}no{{ end }}', { v: value })).toBe(truth ? 'yes' : 'no');
    });
  });

  describe('with', () => {
    it('moves the dot into its value, or runs else', () => {
      expect(render('{{ with .a }}{{ .b }}{{ else }}none{{ end }}', { a: { b: 'in' } })).toBe('in');
      expect(render('{{ with .a }}{{ .b }}{{ else }}none{{ end }}', { a: {} })).toBe('none');
    });
  });

  describe('range', () => {
    it('walks lists with index and element, the dot being the element', () => {
      expect(render('{{ range $i, $v := .l }}{{ $i }}={{ $v }}/{{ . }};{{ end }}', { l: ['a', 'b'] })).toBe(
        '0=a/a;1=b/b;',
      );
    });

    it('walks maps in key order with $key, $value', () => {
      expect(render('{{ range $k, $v := .m }}{{ $k }}:{{ $v }} {{ end }}', { m: { z: 1, a: 2, m: 3 } })).toBe(
        'a:2 m:3 z:1 ',
      );
    });

    it('runs else for empty and nil collections, and fails on scalars', () => {
      expect(render('{{ range .l }}x{{ else }}empty{{ end }}', { l: [] })).toBe('empty');
      expect(render('{{ range .missing }}x{{ else }}empty{{ end }}', {})).toBe('empty');
      expect(renderError('{{ range .s }}x{{ end }}', { s: 'abc' })).toContain("range can't iterate over abc");
    });

    it('supports break and continue', () => {
      expect(
        render(
          '{{ range .l }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}',
          { l: [1n, 2n, 3n, 4n, 5n] },
        ),
      ).toBe('13');
    });

    it('keeps $ as the root inside the loop', () => {
      expect(render('{{ range .l }}{{ $.name }}-{{ . }} {{ end }}', { name: 'r', l: ['a', 'b'] })).toBe('r-a r-b ');
    });
  });

  describe('variables', () => {
    it('declares with := for the rest of the enclosing block and assigns outer variables with =', () => {
      const src = '{{ $x := "outer" }}{{ if true }}{{ $x = "changed" }}{{ $y := 1 }}{{ end }}{{ $x }}';
      expect(render(src)).toBe('changed');
      expect(renderError('{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}')).toContain('undefined variable: $y');
    });

    it('reads fields through variables', () => {
      expect(render('{{ $c := .a }}{{ $c.b.c }}', { a: { b: { c: 'deep' } } })).toBe('deep');
    });
  });

  describe('define, include and template', () => {
    const helpers = '{{- define "lines" -}}\na: {{ .a }}\nb: {{ .b }}\n{{- end }}{{ define "root" }}{{ $.v }}{{ end }}';

    it('include returns the text, ready for a pipeline', () => {
      expect(render('x:{{ include "lines" (dict "a" 1 "b" "two") | nindent 2 }}', {}, helpers)).toBe(
        'x:\n  a: 1\n  b: two',
      );
    });

    it('template writes the text in place, with $ bound to its data', () => {
      expect(render('[{{ template "root" (dict "v" "data") }}]', { v: 'file' }, helpers)).toBe('[data]');
    });

    it('sees defines of every file in the set and refuses duplicates and unknown names', () => {
      expect(renderError('{{ include "nope" . }}', {}, helpers)).toContain('no template "nope"');
      const set = new TemplateSet(TEMPLATE_FUNCTIONS);
      set.add('a.tpl', '{{ define "x" }}1{{ end }}');
      expect(() => set.add('b.tpl', '{{ define "x" }}2{{ end }}')).toThrow(
        'template x is defined in both a.tpl and b.tpl',
      );
    });

    it('stops runaway recursion', () => {
      expect(renderError('{{ include "loop" . }}', {}, '{{ define "loop" }}{{ include "loop" . }}{{ end }}')).toContain(
        'nested reference',
      );
    });
  });

  describe('pipelines', () => {
    it('passes each value as the last argument of the next command', () => {
      expect(render('{{ .x | default "d" | upper | quote }}', {})).toBe('"D"');
      expect(render('{{ "a-b" | replace "-" "_" }}')).toBe('a_b');
    });

    it('evaluates parenthesised pipelines, with a field chain after them', () => {
      expect(render('{{ (dict "a" (dict "b" "deep")).a.b }}')).toBe('deep');
      expect(render('{{ printf "%s:%d" (lower "HOST") (int "80") }}')).toBe('host:80');
    });

    it('evaluates and/or lazily and returns the deciding value', () => {
      expect(render('{{ and false (fail "not evaluated") }}')).toBe('false');
      expect(render('{{ or .missing "" "fallback" }}')).toBe('fallback');
      expect(render('{{ and 1 "last" }}')).toBe('last');
    });
  });

  describe('errors are errors, never empty output', () => {
    it('rejects unknown functions when parsing', () => {
      expect(renderError('{{ nope 1 }}')).toBe('template: t.yaml:1: function "nope" not defined');
      expect(renderError('a\n{{ .x | semverCompare ">1" }}')).toContain(
        't.yaml:2: function "semverCompare" not defined',
      );
    });

    it('fails on a field of nil (Helm runs with missingkey=zero) and of a non-map', () => {
      expect(renderError('{{ .a.b }}', {})).toContain('nil pointer evaluating interface {}.b');
      expect(renderError('{{ .a.b }}', { a: 'text' })).toContain("can't evaluate field b in type string");
    });

    it('fails to compare an int with a float64, as Go does', () => {
      expect(renderError('{{ eq .port 3001 }}', { port: 3001 })).toContain('incompatible types for comparison');
      expect(render('{{ eq (int .port) 3001 }} {{ eq .port 3001.0 }} {{ eq .missing "x" }}', { port: 3001 })).toBe(
        'true true false',
      );
    });

    it('reports broken syntax with the line', () => {
      expect(renderError('{{ if .a }}x')).toContain('missing {{end}} for if');
      expect(renderError('x\n{{ end }}')).toBe('template: t.yaml:2: unexpected {{end}}');
      expect(renderError('{{ .a ')).toContain('unclosed action');
      expect(renderError('{{ block "x" . }}{{ end }}')).toContain('block is not supported');
      expect(renderError('{{ .a 1 }}', { a: 1 })).toContain("can't give argument to non-function .a");
    });
  });
});
