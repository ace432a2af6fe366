/** Polls until check() is true; fails with `what` after timeoutMs. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A logger that keeps what it was told, for assertions. */
export function memoryLogger() {
  const lines: { level: "info" | "warn" | "error"; msg: string }[] = [];
  return {
    lines,
    info: (msg: string) => void lines.push({ level: "info", msg }),
    warn: (msg: string) => void lines.push({ level: "warn", msg }),
    error: (msg: string) => void lines.push({ level: "error", msg }),
  };
}
