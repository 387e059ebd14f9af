// Waiting with a deadline, once for the whole project. Node's timers take at most 2^31 - 1 ms
// (about 24.8 days) and fire after 1 ms when asked for more, so a longer wait is a chain of
// timers towards one absolute end.

/** The longest delay one Node timer can hold. */
export const maxTimerDelayMs = 2 ** 31 - 1;

/**
 * Why `delayMs` cannot be waited for, or undefined when it can: any finite number ≥ 0 can. The
 * one test of every timeout, wherever it comes from (a host option, a journal, a rung of a
 * ladder); a timeout that fails it is refused, never taken as "now" nor as "forever".
 *
 * @example
 * delayProblem(Number('')); // undefined: 0 is a timeout
 * delayProblem(Number.NaN); // 'timeout NaN is not a finite number of milliseconds ≥ 0'
 */
export function delayProblem(delayMs: unknown): string | undefined {
  if (typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0) return undefined;
  return `timeout ${shown(delayMs)} is not a finite number of milliseconds ≥ 0`;
}

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return `(${typeof value})`;
}

/** The latest instant a Date can name (13 September 275760). */
const lastInstantMs = 8.64e15;

/**
 * When a wait of `delayMs` begun at `from` (epoch ms, now by default) ends, as ISO 8601 text: the
 * `expiresAt` a question carries. Refuses what `delayProblem` refuses, with a RangeError; a wait
 * that ends past the last instant a Date can name ends at that instant.
 *
 * @example
 * request.expiresAt = deadlineEnd(10 * 60_000); // ten minutes from now
 */
export function deadlineEnd(delayMs: number, from: number = Date.now()): string {
  const problem = delayProblem(delayMs);
  if (problem !== undefined) throw new RangeError(problem);
  return new Date(Math.min(from + delayMs, lastInstantMs)).toISOString();
}

/**
 * Calls `onExpire` once `delayMs` milliseconds have passed, for any finite delay ≥ 0 (a month
 * is a month), unless the returned function cancels it first. A delay that is not a finite
 * number ≥ 0 throws a RangeError saying so (see `delayProblem`): a deadline nobody can state
 * must not turn into "now".
 *
 * @example
 * const cancel = startDeadline(30 * 24 * 3_600_000, () => controller.abort());
 * // the answer came first:
 * cancel();
 */
export function startDeadline(delayMs: number, onExpire: () => void, options: { signal?: AbortSignal } = {}): () => void {
  const problem = delayProblem(delayMs);
  if (problem !== undefined) throw new RangeError(problem);
  const end = Date.now() + delayMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let done = false;
  const cancel = () => {
    done = true;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', cancel);
  };
  const arm = () => {
    if (done) return;
    const remaining = end - Date.now();
    if (remaining <= 0) {
      cancel();
      onExpire();
      return;
    }
    timer = setTimeout(arm, Math.min(remaining, maxTimerDelayMs));
  };
  if (options.signal?.aborted) return cancel;
  options.signal?.addEventListener('abort', cancel, { once: true });
  timer = setTimeout(arm, Math.min(delayMs, maxTimerDelayMs));
  return cancel;
}

/**
 * Resolves after `delayMs` (any finite delay ≥ 0), or at once when `signal` aborts.
 *
 * @example
 * await sleep(40 * 24 * 3_600_000, { signal });
 */
export function sleep(delayMs: number, options: { signal?: AbortSignal } = {}): Promise<void> {
  return new Promise((resolve) => {
    if (options.signal?.aborted) return resolve();
    const cancel = startDeadline(delayMs, () => {
      options.signal?.removeEventListener('abort', stop);
      resolve();
    });
    const stop = () => {
      cancel();
      resolve();
    };
    options.signal?.addEventListener('abort', stop, { once: true });
  });
}

/**
 * The promise's outcome, or `onTimeout()`'s once `delayMs` has passed first. The promise is not
 * cancelled (give it a signal of its own); its late outcome is ignored.
 *
 * @example
 * const value = await withDeadline(lookUpCustomer(id), 2_000, () => { throw new Error('took over 2 s'); });
 */
export function withDeadline<T, U = T>(promise: PromiseLike<T>, delayMs: number, onTimeout: () => U | PromiseLike<U>): Promise<T | U> {
  return new Promise<T | U>((resolve, reject) => {
    let settled = false;
    const cancel = startDeadline(delayMs, () => {
      if (settled) return;
      settled = true;
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    });
    promise.then(
      (value) => {
        if (settled) return;
        settled = true;
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        cancel();
        reject(error);
      },
    );
  });
}
