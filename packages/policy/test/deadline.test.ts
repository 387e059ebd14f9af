import { afterEach, describe, expect, it, vi } from 'vitest';
import { deadlineEnd, delayProblem, maxTimerDelayMs, sleep, startDeadline, withDeadline } from '../src/deadline.js';

const day = 24 * 3_600_000;

describe('startDeadline', () => {
  afterEach(() => vi.useRealTimers());

  it.each([
    ['2^31 - 1 ms', maxTimerDelayMs],
    ['2^31 ms', maxTimerDelayMs + 1],
    ['25 days', 25 * day],
    ['720 hours', 720 * 3_600_000],
    ['10 years', 3650 * day],
  ])('waits the whole of %s, not a millisecond less', (_name, delay) => {
    vi.useFakeTimers();
    const expired = vi.fn();
    startDeadline(delay, expired);
    vi.advanceTimersByTime(1);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(delay - 2);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10 * maxTimerDelayMs);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('is cancelled before it fires, or by a signal', () => {
    vi.useFakeTimers();
    const expired = vi.fn();
    startDeadline(30 * day, expired)();
    const controller = new AbortController();
    startDeadline(30 * day, expired, { signal: controller.signal });
    vi.advanceTimersByTime(29 * day);
    controller.abort();
    vi.advanceTimersByTime(2 * day);
    expect(expired).not.toHaveBeenCalled();
  });

  it.each([Number.NaN, -1, Number.POSITIVE_INFINITY, '5' as unknown as number])('refuses %s instead of firing at once', (delay) => {
    expect(() => startDeadline(delay, () => undefined)).toThrow(RangeError);
    expect(() => startDeadline(delay, () => undefined)).toThrow(delayProblem(delay)!);
    expect(() => deadlineEnd(delay)).toThrow(RangeError);
  });
});

describe('delayProblem and deadlineEnd', () => {
  it('names what cannot be waited for; any finite number ≥ 0 can', () => {
    expect([0, 1, maxTimerDelayMs + 1, 1e300].map(delayProblem)).toEqual([undefined, undefined, undefined, undefined]);
    expect(delayProblem(Number.NaN)).toBe('timeout NaN is not a finite number of milliseconds ≥ 0');
    expect(delayProblem('10m')).toBe('timeout "10m" is not a finite number of milliseconds ≥ 0');
    expect(delayProblem({})).toBe('timeout (object) is not a finite number of milliseconds ≥ 0');
  });

  it('gives the end of a wait as ISO text, up to the last instant a date can name', () => {
    expect(deadlineEnd(30 * day, Date.parse('2026-01-01T00:00:00Z'))).toBe('2026-01-31T00:00:00.000Z');
    expect(deadlineEnd(1e300, 0)).toBe('+275760-09-13T00:00:00.000Z');
  });
});

describe('sleep and withDeadline', () => {
  afterEach(() => vi.useRealTimers());

  it('sleep waits 40 days, or ends when aborted', async () => {
    vi.useFakeTimers();
    let woke = false;
    const sleeping = sleep(40 * day).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(39 * day);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(day);
    await sleeping;
    expect(woke).toBe(true);
    const controller = new AbortController();
    const aborted = sleep(40 * day, { signal: controller.signal });
    controller.abort();
    await aborted;
  });

  it('withDeadline takes the first of the value and the time running out', async () => {
    vi.useFakeTimers();
    await expect(withDeadline(Promise.resolve('value'), 26 * day, () => 'late')).resolves.toBe('value');
    const never = new Promise<string>(() => undefined);
    const waiting = withDeadline(never, 26 * day, () => 'timed out');
    await vi.advanceTimersByTimeAsync(25 * day);
    const raced = await Promise.race([waiting, Promise.resolve('still waiting')]);
    expect(raced).toBe('still waiting');
    await vi.advanceTimersByTimeAsync(day);
    await expect(waiting).resolves.toBe('timed out');
    const failing = withDeadline(never, 10, () => {
      throw new Error('fact took too long');
    });
    const failed = expect(failing).rejects.toThrow('fact took too long');
    await vi.advanceTimersByTimeAsync(10);
    await failed;
  });
});
