// Times shown to people: readable, with the zone, the same on every machine, never a throw.
import { describe, expect, it } from 'vitest';
import { formatTime } from '../src/index.js';

describe('formatTime', () => {
  it('shows an ISO time, a Date or milliseconds as a date, a time and the zone', () => {
    expect(formatTime('2025-03-01T10:00:05.000Z')).toBe('1 Mar 2025, 10:00:05 UTC');
    expect(formatTime('2025-12-31T23:59:59+01:00')).toBe('31 Dec 2025, 22:59:59 UTC');
    expect(formatTime(new Date(Date.UTC(2026, 0, 9, 7, 5, 3)))).toBe('9 Jan 2026, 07:05:03 UTC');
    expect(formatTime(0)).toBe('1 Jan 1970, 00:00:00 UTC');
  });

  it('gives back text that is not a time, as it is', () => {
    expect(formatTime('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
    expect(formatTime(Number.NaN)).toBe('NaN');
  });
});
