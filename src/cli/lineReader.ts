import { createInterface } from "node:readline";

/**
 * Reads one line at a time from stdin, interactive or piped. Lines that
 * arrive before they are asked for are queued, so piped scripts never lose input.
 */
export function createLineReader(input: NodeJS.ReadableStream, output: NodeJS.WritableStream) {
  const rl = createInterface({ input, terminal: false });
  const queued: string[] = [];
  const waiting: Array<(line: string | null) => void> = [];
  let closed = false;
  rl.on("line", (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else queued.push(line);
  });
  rl.on("close", () => {
    closed = true;
    for (const resolve of waiting.splice(0)) resolve(null);
  });
  return {
    /** The next line, or null at the end of input. */
    ask(prompt: string): Promise<string | null> {
      output.write(prompt);
      const line = queued.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (closed) return Promise.resolve(null);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close: () => rl.close(),
  };
}
