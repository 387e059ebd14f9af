// Signed requests seen recently: the same signed request twice is a replay, refused. A request is
// known by the digest of what its signature covers (timestamp and body, see SignatureCheck), not
// by its header as written, so a used request in a re-written header is still the same request.
// Entries are forgotten once their timestamp is too old to pass verification anyway, so memory
// stays bounded.
import { defaultToleranceMs } from './signing.js';

/**
 * Remembers verified requests until they could no longer verify.
 *
 * @example
 * const guard = new ReplayGuard();
 * const check = verifyWebhook(request, secret);
 * if (check.ok) guard.check(check.digest, check.timestamp); // true the first time, false for a replay
 */
export class ReplayGuard {
  readonly #seen = new Map<string, number>();
  readonly #toleranceMs: number;

  constructor(toleranceMs: number = defaultToleranceMs) {
    this.#toleranceMs = toleranceMs;
  }

  /** Records a verified request by its `digest`; false when it was seen before (a replay). */
  check(digest: string, timestampSeconds: number, now: number = Date.now()): boolean {
    this.#prune(now);
    if (this.#seen.has(digest)) return false;
    this.#seen.set(digest, timestampSeconds * 1000);
    return true;
  }

  #prune(now: number): void {
    for (const [digest, at] of this.#seen) if (Math.abs(now - at) > this.#toleranceMs) this.#seen.delete(digest);
  }
}
