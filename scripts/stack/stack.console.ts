import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { LinePrefixer } from './log-lines';

/** Where PostgreSQL and NATS write: their full log to a file, warnings and errors to the terminal too. */
export interface InfraLog {
  line(source: string, line: string, important: boolean): void;
  warn(message: string): void;
}

/**
 * The launcher's single place for output: app lines prefixed with their name, infrastructure
 * logs to files, the launcher's own messages under `stack`.
 */
export class StackConsole implements InfraLog {
  private readonly files = new Map<string, WriteStream>();

  constructor(
    private readonly prefixer: LinePrefixer,
    private readonly appIndex: ReadonlyMap<string, number>,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}

  appLine(app: string, line: string, stream: 'stdout' | 'stderr'): void {
    const out = stream === 'stderr' ? this.stderr : this.stdout;
    out.write(`${this.prefixer.prefix(app, line, 'app', this.appIndex.get(app) ?? 0)}\n`);
  }

  /** Sends a source's full log to a file from now on. */
  logToFile(source: string, path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    this.files.set(source, createWriteStream(path, { flags: 'a' }));
  }

  line(source: string, line: string, important: boolean): void {
    this.files.get(source)?.write(`${line}\n`);
    if (important || !this.files.has(source)) this.stdout.write(`${this.prefixer.prefix(source, line, 'infra')}\n`);
  }

  info(message: string): void {
    for (const line of message.split('\n')) this.stdout.write(`${this.prefixer.prefix('stack', line, 'stack')}\n`);
  }

  warn(message: string): void {
    for (const line of message.split('\n')) {
      this.stderr.write(`${this.prefixer.prefix('stack', this.prefixer.alert(line), 'stack')}\n`);
    }
  }

  /** A block printed as is (the ready report). */
  block(text: string): void {
    this.stdout.write(`${text}\n`);
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.files.values()].map((file) => new Promise<void>((resolve) => file.end(() => resolve()))),
    );
    this.files.clear();
  }
}
