// Things that arrive over HTTP in tests, kept in order and awaited one by one.
import { startDeadline } from '@handrail/policy';

/**
 * A list that also hands out its items in order as they arrive.
 *
 * @example
 * const inbox = new Inbox<string>();
 * setTimeout(() => inbox.push('hello'), 10);
 * await inbox.next(); // 'hello'
 */
export class Inbox<T> {
  /** Everything that arrived, in order. */
  readonly all: T[] = [];
  #taken = 0;
  #waiting: Array<(item: T) => void> = [];

  push(item: T): void {
    this.all.push(item);
    const waiter = this.#waiting.shift();
    if (waiter) {
      this.#taken++;
      waiter(item);
    }
  }

  /** The next item not handed out yet; waits for it, at most `timeoutMs` (default 10 s). */
  next(timeoutMs = 10_000): Promise<T> {
    if (this.#taken < this.all.length) return Promise.resolve(this.all[this.#taken++]!);
    return new Promise<T>((resolve, reject) => {
      const cancel = startDeadline(timeoutMs, () => {
        this.#waiting = this.#waiting.filter((waiter) => waiter !== settle);
        reject(new Error(`nothing arrived within ${timeoutMs} ms`));
      });
      const settle = (item: T) => {
        cancel();
        resolve(item);
      };
      this.#waiting.push(settle);
    });
  }
}
