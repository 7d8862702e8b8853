// The work of an engine that outlives a request: turns past their deadline and their late
// replies, and what a channel runs after answering its platform (Meta's events). Kept in one
// place so that shutdown can wait for all of it, and interrupt what is left once the grace is
// over: a stopping instance never exits with a conversation locked.

export class InFlight {
  readonly #running = new Set<Promise<unknown>>();
  readonly #onInterrupt = new Set<() => void>();
  #stopping = false;
  #interrupted = false;

  /** True once shutdown began: no new turn starts here. */
  get stopping(): boolean {
    return this.#stopping;
  }

  get interrupted(): boolean {
    return this.#interrupted;
  }

  /** How much tracked work is still running. */
  get size(): number {
    return this.#running.size;
  }

  /** Tracks `work` until it settles; returns it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const forget = () => this.#running.delete(work);
    work.then(forget, forget);
    return work;
  }

  /**
   * Calls `interrupt` if the engine is interrupted before `dispose` is called. For a turn: its
   * effects are abandoned and its lock released instead of waiting for them.
   */
  onInterrupt(interrupt: () => void): () => void {
    if (this.#interrupted) {
      interrupt();
      return () => undefined;
    }
    this.#onInterrupt.add(interrupt);
    return () => this.#onInterrupt.delete(interrupt);
  }

  /** Stops taking new turns and waits up to `withinMs` for tracked work; true if all of it settled. */
  async drain(withinMs: number): Promise<boolean> {
    this.#stopping = true;
    const until = Date.now() + withinMs;
    // Work may start more work (a late reply after a turn), so look again until nothing is left.
    while (this.#running.size > 0) {
      const left = until - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
      });
      await Promise.race([Promise.allSettled([...this.#running]), timeout]).finally(() => clearTimeout(timer));
    }
    return true;
  }

  /** Interrupts every turn still running: each abandons its work, releases its lock and tells its user. */
  interrupt(): void {
    this.#stopping = true;
    this.#interrupted = true;
    for (const interrupt of [...this.#onInterrupt]) interrupt();
    this.#onInterrupt.clear();
  }
}
