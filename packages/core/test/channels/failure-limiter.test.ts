// The failure limiter: a client's window of failures, and the key it is counted under.
import { expect, test } from 'vitest';
import { clientKey, FailureLimiter } from '../../src/channels/failure-limiter.js';

test('past its limit a client waits until its window ends; other clients are not affected', () => {
  const limiter = new FailureLimiter({ maxFailures: 3, windowMs: 60_000 });
  const start = 1_760_000_000_000;
  for (let i = 0; i < 3; i++) {
    expect(limiter.retryAfter('a', start + i)).toBe(0);
    limiter.fail('a', start + i);
  }
  expect(limiter.retryAfter('a', start + 10)).toBe(60);
  expect(limiter.retryAfter('a', start + 59_500)).toBe(1);
  expect(limiter.retryAfter('b', start + 10)).toBe(0);
  expect(limiter.retryAfter('a', start + 60_000)).toBe(0);
});

test('clients are IPv4 addresses, or IPv6 /64 networks', () => {
  expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
  expect(clientKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
  expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
  expect(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:fffe')).toBe('2001:db8:1:2::/64');
  expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
  expect(clientKey('::1')).toBe('0:0:0:0::/64');
  expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  expect(clientKey(undefined)).toBe('?');
});
