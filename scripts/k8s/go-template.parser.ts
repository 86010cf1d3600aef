import { TemplateError } from './go-template.values';

/**
 * Lexer and parser for the subset of Go's text/template that our Helm chart uses: text and actions with
 * `{{-`/`-}}` trimming, comments, pipelines, `$var :=`/`=`, `if`/`else if`/`else`, `range` (with `$k, $v`),
 * `with`, `define`, `template`, `break`/`continue`, parenthesised pipelines with field chains.
 * Anything else (`block`, `else with`, char literals, method calls) is a parse error, never ignored.
 */

export type Operand =
  | { kind: 'dot' }
  | { kind: 'field'; chain: string[] }
  | { kind: 'variable'; name: string; chain: string[] }
  | { kind: 'function'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'int'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | { kind: 'pipeline'; pipeline: Pipeline; chain: string[] };

export interface Command {
  operands: Operand[];
}

export interface Pipeline {
  /** Variables declared (`:=`) or assigned (`=`) from the pipeline's value. */
  variables: string[];
  assign: boolean;
  commands: Command[];
}

export type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Pipeline; line: number }
  | { kind: 'if'; pipeline: Pipeline; body: TemplateNode[]; otherwise: TemplateNode[]; line: number }
  | { kind: 'with'; pipeline: Pipeline; body: TemplateNode[]; otherwise: TemplateNode[]; line: number }
  | { kind: 'range'; pipeline: Pipeline; body: TemplateNode[]; otherwise: TemplateNode[]; line: number }
  | { kind: 'template'; name: string; pipeline?: Pipeline; line: number }
  | { kind: 'break'; line: number }
  | { kind: 'continue'; line: number };

export interface ParsedTemplate {
  name: string;
  nodes: TemplateNode[];
  defines: Map<string, TemplateNode[]>;
}

type Token =
  | { kind: 'ident'; text: string; spaceBefore: boolean }
  | { kind: 'field'; chain: string[]; spaceBefore: boolean }
  | { kind: 'variable'; name: string; chain: string[]; spaceBefore: boolean }
  | { kind: 'dot'; spaceBefore: boolean }
  | { kind: 'string'; value: string; spaceBefore: boolean }
  | { kind: 'number'; text: string; spaceBefore: boolean }
  | { kind: 'punct'; text: '|' | '(' | ')' | ',' | ':=' | '='; spaceBefore: boolean };

type Item =
  | { kind: 'text'; text: string }
  | { kind: 'action'; tokens: Token[]; line: number; trimLeft: boolean; trimRight: boolean }
  | { kind: 'comment'; line: number; trimLeft: boolean; trimRight: boolean };

const SPACE = /[ \t\r\n]/;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[+-]?(0[xX][0-9a-fA-F_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?)/y;

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

function lineAt(src: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (src.charCodeAt(i) === 10) line++;
  return line;
}

const GO_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

class Lexer {
  private pos = 0;
  private readonly items: Item[] = [];

  constructor(
    private readonly name: string,
    private readonly src: string,
  ) {}

  private fail(message: string, at = this.pos): never {
    throw new TemplateError(`template: ${this.name}:${lineAt(this.src, at)}: ${message}`);
  }

  lex(): Item[] {
    while (this.pos < this.src.length) {
      const open = this.src.indexOf('{{', this.pos);
      if (open < 0) {
        this.items.push({ kind: 'text', text: this.src.slice(this.pos) });
        break;
      }
      if (open > this.pos) this.items.push({ kind: 'text', text: this.src.slice(this.pos, open) });
      this.lexAction(open);
    }
    return this.items;
  }

  private lexAction(open: number): void {
    const line = lineAt(this.src, open);
    let i = open + 2;
    const trimLeft = this.src[i] === '-' && SPACE.test(this.src[i + 1] ?? '');
    if (trimLeft) i += 2;
    while (trimLeft && SPACE.test(this.src[i] ?? '')) i++;
    if (this.src.startsWith('/*', i)) {
      const end = this.src.indexOf('*/', i + 2);
      if (end < 0) this.fail('unclosed comment', open);
      let j = end + 2;
      let trimRight = false;
      if (/^[ \t\r\n]+-}}/.test(this.src.slice(j, j + 64))) {
        while (SPACE.test(this.src[j])) j++;
        j++;
        trimRight = true;
      }
      if (!this.src.startsWith('}}', j)) this.fail('comment ends before closing delimiter', open);
      this.items.push({ kind: 'comment', line, trimLeft, trimRight });
      this.pos = j + 2;
      return;
    }
    const tokens: Token[] = [];
    let spaceBefore = true;
    for (;;) {
      if (i >= this.src.length) this.fail('unclosed action', open);
      const c = this.src[i];
      if (SPACE.test(c)) {
        let j = i;
        while (SPACE.test(this.src[j] ?? '')) j++;
        if (this.src.startsWith('-}}', j)) {
          this.items.push({ kind: 'action', tokens, line, trimLeft, trimRight: true });
          this.pos = j + 3;
          return;
        }
        i = j;
        spaceBefore = true;
        continue;
      }
      if (this.src.startsWith('}}', i)) {
        this.items.push({ kind: 'action', tokens, line, trimLeft, trimRight: false });
        this.pos = i + 2;
        return;
      }
      i = this.lexToken(i, tokens, spaceBefore);
      spaceBefore = false;
    }
  }

  /** Reads one token at `i`, appends it, returns the index after it. */
  private lexToken(i: number, tokens: Token[], spaceBefore: boolean): number {
    const src = this.src;
    const c = src[i];
    if (src.startsWith(':=', i)) {
      tokens.push({ kind: 'punct', text: ':=', spaceBefore });
      return i + 2;
    }
    if (c === '|' || c === '(' || c === ')' || c === ',' || c === '=') {
      tokens.push({ kind: 'punct', text: c, spaceBefore });
      return i + 1;
    }
    if (c === '"') return this.lexString(i, tokens, spaceBefore);
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) this.fail('unterminated raw quoted string', i);
      tokens.push({ kind: 'string', value: src.slice(i + 1, end), spaceBefore });
      return end + 1;
    }
    if (c === '$') {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(src);
      const name = m ? `$${m[0]}` : '$';
      const [chain, next] = this.lexChain(i + name.length);
      tokens.push({ kind: 'variable', name, chain, spaceBefore });
      return next;
    }
    if (c === '.') {
      IDENT.lastIndex = i + 1;
      if (!IDENT.exec(src)) {
        if (/\d/.test(src[i + 1] ?? '')) return this.lexNumber(i, tokens, spaceBefore);
        tokens.push({ kind: 'dot', spaceBefore });
        return i + 1;
      }
      const [chain, next] = this.lexChain(i);
      tokens.push({ kind: 'field', chain, spaceBefore });
      return next;
    }
    if (/[0-9+-]/.test(c)) return this.lexNumber(i, tokens, spaceBefore);
    IDENT.lastIndex = i;
    const m = IDENT.exec(src);
    if (m) {
      tokens.push({ kind: 'ident', text: m[0], spaceBefore });
      return i + m[0].length;
    }
    if (c === "'") this.fail('character constants are not supported', i);
    this.fail(`unexpected ${JSON.stringify(c)} in action`, i);
  }

  /** `.a.b.c` starting at `i` (which may hold no dot: an empty chain). */
  private lexChain(i: number): [string[], number] {
    const chain: string[] = [];
    while (this.src[i] === '.') {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(this.src);
      if (!m) this.fail('bad field name', i);
      chain.push(m[0]);
      i += 1 + m[0].length;
    }
    return [chain, i];
  }

  private lexNumber(i: number, tokens: Token[], spaceBefore: boolean): number {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(this.src);
    if (!m || m[0] === '' || m[0] === '+' || m[0] === '-') this.fail('bad number syntax', i);
    tokens.push({ kind: 'number', text: m[0], spaceBefore });
    return i + m[0].length;
  }

  private lexString(i: number, tokens: Token[], spaceBefore: boolean): number {
    let value = '';
    let j = i + 1;
    for (;;) {
      const c = this.src[j];
      if (c === undefined || c === '\n') this.fail('unterminated quoted string', i);
      if (c === '"') break;
      if (c !== '\\') {
        value += c;
        j++;
        continue;
      }
      const e = this.src[j + 1];
      if (e in GO_ESCAPES) {
        value += GO_ESCAPES[e];
        j += 2;
      } else if (e === 'x' || e === 'u' || e === 'U') {
        const width = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = this.src.slice(j + 2, j + 2 + width);
        if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) this.fail('bad escape in quoted string', j);
        value += String.fromCodePoint(parseInt(hex, 16));
        j += 2 + width;
      } else {
        this.fail('unknown escape sequence in quoted string', j);
      }
    }
    tokens.push({ kind: 'string', value, spaceBefore });
    return j + 1;
  }
}

/** Applies `{{-` and `-}}`: the text next to a trim marker loses all its adjacent white space. */
function applyTrimming(items: Item[]): Item[] {
  for (let k = 0; k < items.length; k++) {
    const item = items[k];
    if (item.kind === 'text') continue;
    const before = items[k - 1];
    const after = items[k + 1];
    if (item.trimLeft && before?.kind === 'text') before.text = before.text.replace(/[ \t\r\n]+$/, '');
    if (item.trimRight && after?.kind === 'text') after.text = after.text.replace(/^[ \t\r\n]+/, '');
  }
  return items;
}

type Stop = { keyword: 'end' | 'else'; tokens: Token[]; line: number } | { keyword: 'eof' };

class Parser {
  private index = 0;
  readonly defines = new Map<string, TemplateNode[]>();

  constructor(
    private readonly name: string,
    private readonly items: Item[],
    private readonly functions: ReadonlySet<string>,
  ) {}

  private fail(line: number, message: string): never {
    throw new TemplateError(`template: ${this.name}:${line}: ${message}`);
  }

  parseTop(): TemplateNode[] {
    const [nodes, stop] = this.parseList(true);
    if (stop.keyword !== 'eof') this.fail(stop.line, `unexpected {{${stop.keyword}}}`);
    return nodes;
  }

  private parseList(topLevel = false): [TemplateNode[], Stop] {
    const nodes: TemplateNode[] = [];
    while (this.index < this.items.length) {
      const item = this.items[this.index++];
      if (item.kind === 'text') {
        if (item.text) nodes.push({ kind: 'text', text: item.text });
        continue;
      }
      if (item.kind === 'comment') continue;
      const { tokens, line } = item;
      if (tokens.length === 0) this.fail(line, 'missing value for command');
      const first = tokens[0];
      const keyword = first.kind === 'ident' && KEYWORDS.has(first.text) ? first.text : undefined;
      switch (keyword) {
        case 'end':
        case 'else':
          return [nodes, { keyword, tokens: tokens.slice(1), line }];
        case 'if':
        case 'with':
          nodes.push(this.parseConditional(keyword, tokens.slice(1), line));
          break;
        case 'range': {
          const pipeline = this.parsePipeline(tokens.slice(1), line, true);
          const [body, otherwise] = this.parseBodies('range', line, false);
          nodes.push({ kind: 'range', pipeline, body, otherwise, line });
          break;
        }
        case 'define': {
          if (!topLevel) this.fail(line, 'define must be at the top level');
          const nameToken = tokens[1];
          if (tokens.length !== 2 || nameToken.kind !== 'string') this.fail(line, 'define needs one quoted name');
          if (this.defines.has(nameToken.value)) this.fail(line, `template ${nameToken.value} defined twice`);
          const [body, stop] = this.parseList();
          if (stop.keyword !== 'end' || stop.tokens.length)
            this.fail(line, `define ${nameToken.value}: missing {{end}}`);
          this.defines.set(nameToken.value, body);
          break;
        }
        case 'template': {
          const nameToken = tokens[1];
          if (nameToken?.kind !== 'string') this.fail(line, 'template needs a quoted name');
          const rest = tokens.slice(2);
          nodes.push({
            kind: 'template',
            name: nameToken.value,
            pipeline: rest.length ? this.parsePipeline(rest, line, false) : undefined,
            line,
          });
          break;
        }
        case 'break':
        case 'continue':
          if (tokens.length !== 1) this.fail(line, `unexpected arguments to ${keyword}`);
          nodes.push({ kind: keyword, line });
          break;
        case 'block':
          this.fail(line, 'block is not supported by this renderer');
          break;
        default:
          nodes.push({ kind: 'action', pipeline: this.parsePipeline(tokens, line, false), line });
      }
    }
    return [nodes, { keyword: 'eof' }];
  }

  /** `if`/`with` with their `else if` chain: `{{else if x}}` nests an `if` that shares the closing `{{end}}`. */
  private parseConditional(keyword: 'if' | 'with', tokens: Token[], line: number): TemplateNode {
    const pipeline = this.parsePipeline(tokens, line, false);
    const [body, stop] = this.parseList();
    if (stop.keyword === 'eof') this.fail(line, `unexpected EOF: missing {{end}} for ${keyword}`);
    if (stop.keyword === 'end') {
      if (stop.tokens.length) this.fail(stop.line, 'unexpected arguments to end');
      return { kind: keyword, pipeline, body, otherwise: [], line };
    }
    const next = stop.tokens[0];
    if (next?.kind === 'ident' && next.text === 'if' && keyword === 'if') {
      return {
        kind: 'if',
        pipeline,
        body,
        otherwise: [this.parseConditional('if', stop.tokens.slice(1), stop.line)],
        line,
      };
    }
    if (stop.tokens.length) this.fail(stop.line, `unsupported {{else ...}} in ${keyword}`);
    const [otherwise] = this.parseBodies(keyword, line, true);
    return { kind: keyword, pipeline, body, otherwise, line };
  }

  /** Body up to `{{else}}` or `{{end}}`, and the else body if any; `afterElse` parses only the else body. */
  private parseBodies(keyword: string, line: number, afterElse: boolean): [TemplateNode[], TemplateNode[]] {
    const [first, stop] = this.parseList();
    if (stop.keyword === 'eof') this.fail(line, `unexpected EOF: missing {{end}} for ${keyword}`);
    if (stop.keyword === 'end') {
      if (stop.tokens.length) this.fail(stop.line, 'unexpected arguments to end');
      return [first, []];
    }
    if (afterElse || stop.tokens.length) this.fail(stop.line, `unexpected {{else}} in ${keyword}`);
    const [second, end] = this.parseList();
    if (end.keyword !== 'end' || end.tokens.length) this.fail(line, `missing {{end}} for ${keyword}`);
    return [first, second];
  }

  private parsePipeline(tokens: Token[], line: number, rangeDecl: boolean): Pipeline {
    let variables: string[] = [];
    let assign = false;
    let rest = tokens;
    const declEnd = tokens.findIndex((t) => t.kind === 'punct' && (t.text === ':=' || t.text === '='));
    if (
      declEnd > 0 &&
      tokens.slice(0, declEnd).every((t) => t.kind === 'variable' || (t.kind === 'punct' && t.text === ','))
    ) {
      const names = tokens.slice(0, declEnd);
      variables = names.filter((t) => t.kind === 'variable').map((t) => (t as { name: string }).name);
      const separators = names.length - variables.length;
      const wellFormed =
        names.every((t, k) => (k % 2 === 0 ? t.kind === 'variable' && !t.chain.length : t.kind === 'punct')) &&
        separators === variables.length - 1;
      if (!wellFormed || variables.length > (rangeDecl ? 2 : 1)) this.fail(line, 'bad variable declaration');
      assign = (tokens[declEnd] as { text: string }).text === '=';
      rest = tokens.slice(declEnd + 1);
    }
    if (rest.length === 0) this.fail(line, 'missing value for command');
    const commands: Command[] = [];
    let start = 0;
    let depth = 0;
    for (let k = 0; k <= rest.length; k++) {
      const t = rest[k];
      if (t?.kind === 'punct' && t.text === '(') depth++;
      if (t?.kind === 'punct' && t.text === ')') depth--;
      if (k === rest.length || (depth === 0 && t.kind === 'punct' && t.text === '|')) {
        if (k === start) this.fail(line, 'missing command in pipeline');
        commands.push(this.parseCommand(rest.slice(start, k), line));
        start = k + 1;
      }
    }
    if (depth !== 0) this.fail(line, 'unbalanced parentheses');
    return { variables, assign, commands };
  }

  private parseCommand(tokens: Token[], line: number): Command {
    const operands: Operand[] = [];
    let k = 0;
    while (k < tokens.length) {
      const t = tokens[k];
      if (t.kind === 'punct' && t.text === '(') {
        let depth = 1;
        let j = k + 1;
        for (; j < tokens.length && depth > 0; j++) {
          const u = tokens[j];
          if (u.kind === 'punct' && u.text === '(') depth++;
          if (u.kind === 'punct' && u.text === ')') depth--;
        }
        const pipeline = this.parsePipeline(tokens.slice(k + 1, j - 1), line, false);
        if (pipeline.variables.length) this.fail(line, 'variable declaration inside parentheses');
        let chain: string[] = [];
        const after = tokens[j];
        if (after?.kind === 'field' && !after.spaceBefore) {
          chain = after.chain;
          j++;
        }
        operands.push({ kind: 'pipeline', pipeline, chain });
        k = j;
        continue;
      }
      operands.push(this.operand(t, line));
      k++;
    }
    return { operands };
  }

  private operand(t: Token, line: number): Operand {
    switch (t.kind) {
      case 'dot':
        return { kind: 'dot' };
      case 'field':
        return { kind: 'field', chain: t.chain };
      case 'variable':
        return { kind: 'variable', name: t.name, chain: t.chain };
      case 'string':
        return { kind: 'string', value: t.value };
      case 'number':
        return numberOperand(t.text, (message) => this.fail(line, message));
      case 'ident':
        if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true' };
        if (t.text === 'nil') return { kind: 'nil' };
        if (KEYWORDS.has(t.text)) this.fail(line, `unexpected keyword ${t.text} in command`);
        if (!this.functions.has(t.text)) this.fail(line, `function "${t.text}" not defined`);
        return { kind: 'function', name: t.text };
      case 'punct':
        this.fail(line, `unexpected "${t.text}" in command`);
    }
  }
}

/** Integer constants are Go ints; anything with a fraction or an exponent is a float64. */
function numberOperand(text: string, fail: (message: string) => never): Operand {
  const clean = text.replace(/_/g, '');
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(clean)) {
    const negative = clean.startsWith('-');
    const value = BigInt(clean.replace(/^[+-]/, ''));
    return { kind: 'int', value: negative ? -value : value };
  }
  if (/^[+-]?\d+$/.test(clean)) return { kind: 'int', value: BigInt(clean) };
  const value = Number(clean);
  if (Number.isNaN(value)) fail(`bad number syntax: ${text}`);
  return { kind: 'float', value };
}

/** Parses one template file; `functions` are the names a command may call (unknown names fail here, as in Go). */
export function parseTemplate(name: string, src: string, functions: ReadonlySet<string>): ParsedTemplate {
  const items = applyTrimming(new Lexer(name, src).lex());
  const parser = new Parser(name, items, functions);
  const nodes = parser.parseTop();
  return { name, nodes, defines: parser.defines };
}
