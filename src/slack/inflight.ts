/**
 * Work still running after Slack was acknowledged. Bolt's stop() does not
 * wait for listeners, so shutdown waits here for every click to finish.
 */
export class InFlight {
  readonly #active = new Set<Promise<unknown>>();

  run<T>(work: () => Promise<T>): Promise<T> {
    const running = work();
    this.#active.add(running);
    const forget = () => this.#active.delete(running);
    running.then(forget, forget);
    return running;
  }

  get size(): number {
    return this.#active.size;
  }

  /** Resolves true once nothing is running, or false when the time is up first. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#active.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.#active]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, left);
        }),
      ]);
      clearTimeout(timer);
    }
    return true;
  }
}
