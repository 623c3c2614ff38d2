import { createInterface } from 'node:readline';

/**
 * Asks questions one after the other on the given streams. On a TTY, secret answers are not
 * echoed. Answers are never written anywhere else.
 */
export function prompter(input: NodeJS.ReadableStream & { isTTY?: boolean }, output: NodeJS.WritableStream): { ask: (question: string, secret?: boolean) => Promise<string>; close: () => void } {
  const rl = createInterface({ input, terminal: input.isTTY === true });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let muted = false;
  rl.on('line', (line) => {
    const next = waiting.shift();
    if (next === undefined) lines.push(line);
    else next(line);
  });
  if (input.isTTY === true) {
    // readline echoes through _writeToOutput; silence it while a secret is typed.
    const internal = rl as unknown as { _writeToOutput: (s: string) => void };
    internal._writeToOutput = (s: string) => {
      if (!muted) output.write(s);
    };
  }
  return {
    ask: (question, secret = false) => {
      output.write(question);
      muted = secret;
      return new Promise<string>((resolve) => {
        const done = (line: string): void => {
          muted = false;
          if (secret && input.isTTY === true) output.write('\n');
          resolve(line.trim());
        };
        const ready = lines.shift();
        if (ready === undefined) waiting.push(done);
        else done(ready);
      });
    },
    close: () => {
      rl.close();
    },
  };
}
