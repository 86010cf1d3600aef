import { describeExit, ProcessGroup, withTimeout } from './process-group';

/** Real, tiny node children: the point is how signals and process groups behave. */
describe(ProcessGroup.name, () => {
  let group: ProcessGroup;

  beforeEach(() => (group = new ProcessGroup()));
  afterEach(() => {
    group.killAll();
    group.dispose();
  });

  function node(name: string, code: string, lines: string[] = []) {
    return group.start({
      name,
      command: process.execPath,
      args: ['-e', code],
      env: process.env,
      onLine: (line) => lines.push(line),
    });
  }

  it('hands over each output line and keeps the last ones', async () => {
    const lines: string[] = [];
    const child = node('printer', 'console.log("one\\ntwo"); console.error("three"); process.exit(3)', lines);
    expect(await child.exited).toEqual({ code: 3, signal: null });
    expect([...lines].sort()).toEqual(['one', 'three', 'two']);
    expect(child.lastLines(5).sort()).toEqual(['one', 'three', 'two']);
  });

  it('stops a process with its stop signal', async () => {
    const child = node(
      'polite',
      'process.on("SIGTERM", () => process.exit(0)); console.log("up"); setInterval(() => {}, 1000)',
    );
    await waitForLine(child, 'up');
    expect(await child.stop({ signal: 'SIGTERM', timeoutMs: 5000 })).toEqual({ code: 0, signal: null, killed: false });
  });

  it('kills a process that ignores its stop signal, with everything it started', async () => {
    const grandchild = `require("child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" })`;
    const child = node(
      'stubborn',
      `process.on("SIGTERM", () => {}); const g = ${grandchild}; console.log(g.pid); setInterval(() => {}, 1000)`,
    );
    const grandchildPid = Number(await waitForLine(child, /^\d+$/));
    const result = await child.stop({ signal: 'SIGTERM', timeoutMs: 300 });
    expect(result).toMatchObject({ killed: true, signal: 'SIGKILL' });
    await expect(waitUntilGone(grandchildPid)).resolves.toBe(true);
  });

  it('reports a command that cannot start', async () => {
    const child = group.start({ name: 'missing', command: '/nonexistent/bin', args: [], env: {}, onLine: () => {} });
    const status = await child.exited;
    expect(describeExit(status)).toMatch(/^could not start: .*ENOENT/);
  });
});

describe('withTimeout', () => {
  it('gives the value, or undefined when it comes too late', async () => {
    await expect(withTimeout(Promise.resolve(1), 100)).resolves.toBe(1);
    await expect(withTimeout(new Promise(() => {}), 10)).resolves.toBeUndefined();
  });
});

async function waitForLine(child: { lastLines(n: number): string[] }, match: string | RegExp): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const line = child.lastLines(40).find((l) => (typeof match === 'string' ? l === match : match.test(l)));
    if (line !== undefined) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no line ${match}`);
}

async function waitUntilGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}
