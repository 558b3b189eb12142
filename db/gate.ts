/**
 * A gate for a PostgreSQL handle's transactions (db/transactions.ts runPostgres): most pass side by
 * side (shared); one that keeps failing to serialise passes alone (exclusive), once those inside
 * have left and before any that arrive after it, so within this process it cannot be beaten again
 * by the same few. The one-at-a-time of SQLite, kept for the transactions that need it.
 */
export class Gate {
  #shared = 0;
  #exclusive = false;
  /** Exclusive passes waiting: new shared ones wait behind them. */
  #queued = 0;
  #waiters: (() => void)[] = [];

  /** Waits for a shared pass; resolves to the function that gives it back. */
  async shared(): Promise<() => void> {
    while (this.#exclusive || this.#queued > 0) await this.#change();
    this.#shared += 1;
    return this.#once(() => (this.#shared -= 1));
  }

  /** Waits until no other pass is out, then holds the gate alone; resolves to the function that gives it back. */
  async exclusive(): Promise<() => void> {
    this.#queued += 1;
    try {
      while (this.#exclusive || this.#shared > 0) await this.#change();
    } finally {
      this.#queued -= 1;
    }
    this.#exclusive = true;
    return this.#once(() => (this.#exclusive = false));
  }

  /** Passes out now, shared and exclusive (for tests). */
  get state(): { shared: number; exclusive: boolean; queued: number } {
    return { shared: this.#shared, exclusive: this.#exclusive, queued: this.#queued };
  }

  #change(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #once(give: () => void): () => void {
    let given = false;
    return () => {
      if (given) return;
      given = true;
      give();
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    };
  }
}
