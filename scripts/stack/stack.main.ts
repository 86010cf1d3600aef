import { runStack } from './stack.runner';

/** `npm start`: the whole stack on this machine, as separate processes. See stack.runner.ts. */
runStack(process.env).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`stack: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
