// Signed requests seen recently: the same signed request twice is a replay, refused. Entries are
// forgotten once their timestamp is too old to pass verification anyway, so memory stays bounded.
import { defaultToleranceMs } from './signing.js';

/**
 * Remembers signatures until they could no longer verify.
 *
 * @example
 * const guard = new ReplayGuard();
 * guard.check(signature, timestamp); // true the first time
 * guard.check(signature, timestamp); // false: a replay
 */
export class ReplayGuard {
  readonly #seen = new Map<string, number>();
  readonly #toleranceMs: number;

  constructor(toleranceMs: number = defaultToleranceMs) {
    this.#toleranceMs = toleranceMs;
  }

  /** Records a verified signature; false when it was seen before (a replay). */
  check(signature: string, timestampSeconds: number, now: number = Date.now()): boolean {
    this.#prune(now);
    if (this.#seen.has(signature)) return false;
    this.#seen.set(signature, timestampSeconds * 1000);
    return true;
  }

  #prune(now: number): void {
    for (const [signature, at] of this.#seen) if (Math.abs(now - at) > this.#toleranceMs) this.#seen.delete(signature);
  }
}
