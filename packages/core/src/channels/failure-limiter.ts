// Failed authentication, counted per client: past the limit, a client is refused (429) until its
// window ends, without its credential being looked at, so guessing tokens costs a window per few
// guesses whatever form the guess takes (a bearer token, a session cookie, a sign-in).
import { isIPv6 } from 'node:net';

/** How many failures a client may have in a window. */
export interface FailureLimits {
  /** Failures allowed per window; 10 by default. */
  maxFailures?: number;
  /** The window, from a client's first failure; 60 s by default. */
  windowMs?: number;
}

interface Failures {
  count: number;
  since: number;
}

/** Clients remembered at once; past this, the one whose window started first is forgotten. */
const maxClients = 10_000;

/**
 * Counts failed authentication per client (see `clientKey`) in fixed windows.
 *
 * @example
 * const limiter = new FailureLimiter();
 * const wait = limiter.retryAfter(client);
 * if (wait) return respond(429, { 'retry-after': String(wait) });
 * if (!valid(token)) limiter.fail(client);
 */
export class FailureLimiter {
  readonly #clients = new Map<string, Failures>();
  readonly #maxFailures: number;
  readonly #windowMs: number;

  constructor(limits: FailureLimits = {}) {
    this.#maxFailures = limits.maxFailures ?? 10;
    this.#windowMs = limits.windowMs ?? 60_000;
  }

  /** Whole seconds until `client` may try again; 0 when it may now. */
  retryAfter(client: string, now: number = Date.now()): number {
    const failures = this.#current(client, now);
    return failures && failures.count >= this.#maxFailures ? Math.max(1, Math.ceil((failures.since + this.#windowMs - now) / 1000)) : 0;
  }

  /** Counts one failure of `client`'s. */
  fail(client: string, now: number = Date.now()): void {
    const failures = this.#current(client, now);
    if (failures) {
      failures.count++;
      return;
    }
    if (this.#clients.size >= maxClients) this.#prune(now);
    this.#clients.set(client, { count: 1, since: now });
  }

  #current(client: string, now: number): Failures | undefined {
    const failures = this.#clients.get(client);
    if (failures && now - failures.since >= this.#windowMs) {
      this.#clients.delete(client);
      return undefined;
    }
    return failures;
  }

  #prune(now: number): void {
    for (const [client, failures] of this.#clients) if (now - failures.since >= this.#windowMs) this.#clients.delete(client);
    while (this.#clients.size >= maxClients) this.#clients.delete(this.#clients.keys().next().value!);
  }
}

/**
 * The key a client's failures are counted under: an IPv4 address as it is (also when written
 * as an IPv4-mapped IPv6 address), an IPv6 address by its /64 network — one host usually holds a
 * whole /64, and must not get a fresh budget from each of its addresses.
 *
 * @example
 * clientKey('::ffff:203.0.113.9'); // '203.0.113.9'
 * clientKey('2001:db8:1:2:aaaa::1'); // '2001:db8:1:2::/64'
 */
export function clientKey(address: string | undefined): string {
  if (!address) return '?';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('%')[0]!.split('::');
  const front = head ? head.split(':') : [];
  const back = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = address.includes('::') ? [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back] : front;
  return `${groups
    .slice(0, 4)
    .map((group) => (Number.parseInt(group, 16) || 0).toString(16))
    .join(':')}::/64`;
}
