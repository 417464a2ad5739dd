/**
 * Runs tasks one at a time per key, inside this process. The 2FA check reads an attempt
 * counter, compares, and writes it back; without this, parallel guesses against one session
 * would all read the same counter and the attempt limit would not hold.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(task, task);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      // Forget the key once nobody queued behind this task.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
