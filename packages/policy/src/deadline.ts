// Waiting with a deadline, once for the whole project. Node's timers take at most 2^31 - 1 ms
// (about 24.8 days) and fire after 1 ms when asked for more, so a longer wait is a chain of
// timers towards one absolute end.

/** The longest delay one Node timer can hold. */
export const maxTimerDelayMs = 2 ** 31 - 1;

/**
 * Calls `onExpire` once `delayMs` milliseconds have passed, for any finite delay ≥ 0 (a month
 * is a month), unless the returned function cancels it first. A delay that is not a finite
 * number ≥ 0 throws a RangeError: a deadline nobody can state must not turn into "now".
 *
 * @example
 * const cancel = startDeadline(30 * 24 * 3_600_000, () => controller.abort());
 * // the answer came first:
 * cancel();
 */
export function startDeadline(delayMs: number, onExpire: () => void, options: { signal?: AbortSignal } = {}): () => void {
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0)
    throw new RangeError(`a deadline must be a finite number of milliseconds ≥ 0, not ${String(delayMs)}`);
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
