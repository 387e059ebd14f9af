// Durations in test files and matchers, written as policies write them.
const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds from a number (already milliseconds) or a duration such as `10m`.
 *
 * @example
 * toMilliseconds('10m'); // 600000
 */
export function toMilliseconds(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) throw new TypeError(`not a duration: ${JSON.stringify(value)} (write 250ms, 30s, 10m, 2h or 1d)`);
  return Number(match[1]) * units[match[2]!]!;
}
