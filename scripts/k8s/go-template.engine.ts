import { Command, Operand, parseTemplate, ParsedTemplate, Pipeline, TemplateNode } from './go-template.parser';
import { formatValue, GoMap, GoValue, goTypeName, isMap, isNil, isTrue, TemplateError } from './go-template.values';

/**
 * Executes parsed templates with text/template's semantics as Helm configures them (`missingkey=zero`):
 * a missing map key is nil, a field of nil is an error, nil prints as `<no value>` (Helm then blanks it).
 */

/** What a template function receives besides its arguments. */
export interface CallContext {
  /** Renders a named template (`include`). */
  include(name: string, data: GoValue): string;
}

export interface TemplateFunction {
  (args: GoValue[], context: CallContext): GoValue;
}

/** A function whose arguments are evaluated lazily (`and`, `or` stop at the first decisive value). */
export interface LazyTemplateFunction {
  lazy: true;
  call(args: Array<() => GoValue>): GoValue;
}

export type FunctionTable = Readonly<Record<string, TemplateFunction | LazyTemplateFunction>>;

/** Helm stops at 1000; JavaScript's stack ends sooner, and our chart nests three deep. */
const MAX_INCLUDE_DEPTH = 100;

class BreakSignal {}
class ContinueSignal {}

interface Variable {
  name: string;
  value: GoValue;
}

/** A set of templates parsed together: every file's `define`s are visible to every other file. */
export class TemplateSet {
  private readonly defines = new Map<string, { template: string; nodes: TemplateNode[] }>();
  private readonly templates = new Map<string, ParsedTemplate>();
  private depth = 0;

  constructor(private readonly functions: FunctionTable) {}

  /** Parses a file; unknown functions and duplicate `define`s fail here. */
  add(name: string, src: string): void {
    const parsed = parseTemplate(name, src, new Set(Object.keys(this.functions)));
    for (const [defineName, nodes] of parsed.defines) {
      const existing = this.defines.get(defineName);
      if (existing)
        throw new TemplateError(`template ${defineName} is defined in both ${existing.template} and ${name}`);
      this.defines.set(defineName, { template: name, nodes });
    }
    this.templates.set(name, parsed);
  }

  /** Renders a whole file with `data` as both `.` and `$`. */
  execute(name: string, data: GoValue): string {
    const parsed = this.templates.get(name);
    if (!parsed) throw new TemplateError(`no template ${JSON.stringify(name)}`);
    return this.run(name, parsed.nodes, data);
  }

  /** Renders a named template (what `include` and `{{template}}` do). */
  executeDefine(name: string, data: GoValue): string {
    const define = this.defines.get(name);
    if (!define) throw new TemplateError(`no template ${JSON.stringify(name)} associated with template set`);
    if (this.depth >= MAX_INCLUDE_DEPTH) {
      throw new TemplateError(`rendering template ${name} has a nested reference name exceeding ${MAX_INCLUDE_DEPTH}`);
    }
    this.depth++;
    try {
      return this.run(define.template, define.nodes, data);
    } finally {
      this.depth--;
    }
  }

  private run(templateName: string, nodes: TemplateNode[], data: GoValue): string {
    const state = new ExecState(this, templateName, this.functions, data);
    state.walk(nodes, data);
    return state.output.join('');
  }
}

class ExecState implements CallContext {
  readonly output: string[] = [];
  private readonly variables: Variable[];
  private line = 0;

  constructor(
    private readonly set: TemplateSet,
    private readonly templateName: string,
    private readonly functions: FunctionTable,
    root: GoValue,
  ) {
    this.variables = [{ name: '$', value: root }];
  }

  include(name: string, data: GoValue): string {
    return this.set.executeDefine(name, data);
  }

  private fail(message: string): never {
    throw new TemplateError(`template: ${this.templateName}:${this.line}: ${message}`);
  }

  walk(nodes: TemplateNode[], dot: GoValue): void {
    for (const node of nodes) this.walkNode(node, dot);
  }

  private walkNode(node: TemplateNode, dot: GoValue): void {
    if (node.kind === 'text') {
      this.output.push(node.text);
      return;
    }
    this.line = node.line;
    switch (node.kind) {
      case 'action': {
        const value = this.evalPipeline(node.pipeline, dot);
        if (node.pipeline.variables.length === 0) this.output.push(isNil(value) ? '<no value>' : formatValue(value));
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.variables.length;
        const value = this.evalPipeline(node.pipeline, dot);
        if (isTrue(value)) this.walk(node.body, node.kind === 'with' ? value : dot);
        else this.walk(node.otherwise, dot);
        this.variables.length = mark;
        return;
      }
      case 'range':
        this.walkRange(node, dot);
        return;
      case 'template': {
        const data = node.pipeline ? this.evalPipeline(node.pipeline, dot) : undefined;
        this.output.push(this.set.executeDefine(node.name, data));
        return;
      }
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  private walkRange(node: Extract<TemplateNode, { kind: 'range' }>, dot: GoValue): void {
    const mark = this.variables.length;
    const { variables } = node.pipeline;
    const value = this.evalPipeline({ ...node.pipeline, variables: [] }, dot);
    let entries: Array<[GoValue, GoValue]>;
    if (isNil(value)) entries = [];
    else if (Array.isArray(value)) entries = value.map((v, k) => [BigInt(k), v]);
    else if (isMap(value))
      entries = Object.keys(value)
        .sort()
        .map((k) => [k, value[k]]);
    else if (typeof value === 'bigint')
      entries = Array.from({ length: Number(value) }, (_, k) => [BigInt(k), BigInt(k)]);
    else this.fail(`range can't iterate over ${formatValue(value)}`);
    if (entries.length === 0) {
      this.walk(node.otherwise, dot);
      this.variables.length = mark;
      return;
    }
    for (const [key, element] of entries) {
      const iterationMark = this.variables.length;
      if (variables.length === 1) this.variables.push({ name: variables[0], value: element });
      if (variables.length === 2) {
        this.variables.push({ name: variables[0], value: key });
        this.variables.push({ name: variables[1], value: element });
      }
      try {
        this.walk(node.body, element);
      } catch (signal) {
        if (signal instanceof BreakSignal) {
          this.variables.length = iterationMark;
          break;
        }
        if (!(signal instanceof ContinueSignal)) throw signal;
      }
      this.variables.length = iterationMark;
    }
    this.variables.length = mark;
  }

  private lookupVariable(name: string): Variable {
    for (let k = this.variables.length - 1; k >= 0; k--) if (this.variables[k].name === name) return this.variables[k];
    this.fail(`undefined variable: ${name}`);
  }

  private evalPipeline(pipeline: Pipeline, dot: GoValue): GoValue {
    let value: GoValue = undefined;
    let hasFinal = false;
    for (const command of pipeline.commands) {
      value = this.evalCommand(command, dot, hasFinal, value);
      hasFinal = true;
    }
    for (const name of pipeline.variables) {
      if (pipeline.assign) this.lookupVariable(name).value = value;
      else this.variables.push({ name, value });
    }
    return value;
  }

  private evalCommand(command: Command, dot: GoValue, hasFinal: boolean, final: GoValue): GoValue {
    const [first, ...rest] = command.operands;
    if (first.kind === 'function') return this.call(first.name, rest, dot, hasFinal, final);
    if (rest.length > 0 || hasFinal) this.fail(`can't give argument to non-function ${describe(first)}`);
    return this.evalOperand(first, dot);
  }

  private call(name: string, args: Operand[], dot: GoValue, hasFinal: boolean, final: GoValue): GoValue {
    const fn = this.functions[name];
    const thunks = args.map((a) => () => this.evalOperand(a, dot));
    if (hasFinal) thunks.push(() => final);
    try {
      if ('lazy' in fn) return fn.call(thunks);
      return fn(
        thunks.map((t) => t()),
        this,
      );
    } catch (err) {
      if (err instanceof TemplateError && err.message.startsWith('template: ')) throw err;
      if (err instanceof BreakSignal || err instanceof ContinueSignal) throw err;
      this.fail(`error calling ${name}: ${(err as Error).message}`);
    }
  }

  private evalOperand(operand: Operand, dot: GoValue): GoValue {
    switch (operand.kind) {
      case 'dot':
        return dot;
      case 'field':
        return this.evalChain(dot, operand.chain);
      case 'variable':
        return this.evalChain(this.lookupVariable(operand.name).value, operand.chain);
      case 'function':
        return this.call(operand.name, [], dot, false, undefined);
      case 'pipeline':
        return this.evalChain(this.evalPipeline(operand.pipeline, dot), operand.chain);
      case 'nil':
        return null;
      case 'string':
      case 'int':
      case 'float':
      case 'bool':
        return operand.value;
    }
  }

  private evalChain(receiver: GoValue, chain: string[]): GoValue {
    let value = receiver;
    for (const field of chain) {
      if (isNil(value)) this.fail(`nil pointer evaluating interface {}.${field}`);
      if (!isMap(value)) this.fail(`can't evaluate field ${field} in type ${goTypeName(value)}`);
      value = Object.hasOwn(value, field) ? (value as GoMap)[field] : undefined;
    }
    return value;
  }
}

function describe(operand: Operand): string {
  switch (operand.kind) {
    case 'field':
      return `.${operand.chain.join('.')}`;
    case 'variable':
      return operand.name + operand.chain.map((f) => `.${f}`).join('');
    default:
      return operand.kind;
  }
}
