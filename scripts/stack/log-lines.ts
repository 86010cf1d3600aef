/** How the launcher shows many processes' output in one terminal. */

const RESET = '\x1b[0m';
const COLOURS = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m', '\x1b[96m', '\x1b[95m'] as const;
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RED = '\x1b[31m';

export type Tone = 'app' | 'infra' | 'stack';

/** Colour only when a person is watching: stdout is a terminal and NO_COLOR is not set. */
export function shouldColour(isTty: boolean | undefined, env: Readonly<Record<string, string | undefined>>): boolean {
  return isTty === true && !env.NO_COLOR;
}

export class LinePrefixer {
  private readonly width: number;

  constructor(
    names: readonly string[],
    private readonly colour: boolean,
  ) {
    this.width = Math.max(...names.map((n) => n.length), 5);
  }

  /** `ingestion      | line`, the name padded so every column of output lines up. */
  prefix(name: string, line: string, tone: Tone = 'app', index = 0): string {
    const label = `${name.padEnd(this.width)} |`;
    if (!this.colour) return `${label} ${line}`;
    const style = tone === 'app' ? COLOURS[index % COLOURS.length] : tone === 'infra' ? DIM : BOLD;
    return `${style}${label}${RESET} ${line}`;
  }

  /** Highlights a warning the launcher itself prints. */
  alert(text: string): string {
    return this.colour ? `${RED}${BOLD}${text}${RESET}` : text;
  }
}

/** Keeps the last lines a process printed, to show them when it fails. */
export class LineTail {
  private readonly lines: string[] = [];

  constructor(private readonly capacity = 40) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.shift();
  }

  last(n: number): string[] {
    return this.lines.slice(-n);
  }
}
