// Signatures: what is signed, what verifies, and every way a signature is refused.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { ReplayGuard } from '../../src/advanced.js';
import { signSlack, signWebhook, verifySlack, verifyWebhook } from '../../src/index.js';

const secret = 'whsec_test_0123456789abcdef';
const body = '{"id":"a1","answer":{"kind":"approve"}}';
const now = 1_760_000_000_000;
const ts = now / 1000;

describe('Handrail webhook signatures', () => {
  test('v1 is the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    const signed = signWebhook(body, secret, ts);
    expect(signed).toEqual({ timestamp: String(ts), signature: `v1=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}` });
    expect(verifyWebhook({ body, ...signed }, secret, { now })).toEqual({ ok: true, timestamp: ts, digest: createHash('sha256').update(`${ts}.${body}`).digest('hex') });
    expect(verifyWebhook({ body: Buffer.from(body), ...signed }, secret, { now })).toMatchObject({ ok: true });
  });

  test('refused: missing, malformed, altered body, wrong secret, stale or future timestamp', () => {
    const signed = signWebhook(body, secret, ts);
    const check = (request: Partial<Parameters<typeof verifyWebhook>[0]>, options = { now }) => verifyWebhook({ body, ...signed, ...request }, secret, options);
    expect(check({ signature: undefined })).toMatchObject({ ok: false, reason: 'missing' });
    expect(check({ timestamp: undefined })).toMatchObject({ ok: false, reason: 'missing' });
    expect(check({ timestamp: '17e8' })).toMatchObject({ ok: false, reason: 'malformed' });
    for (const signature of ['sha256=abc', `${signed.signature},junk`, `${signed.signature} v1=abc`, `${signed.signature} v1=`, ' , ', `${signed.signature} `.repeat(17)]) {
      expect(check({ signature })).toMatchObject({ ok: false, reason: 'malformed' });
    }
    expect(check({ body: body.replace('approve', 'reject') })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verifyWebhook({ body, ...signWebhook(body, 'another-secret-0123456789', ts) }, secret, { now })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(check({ timestamp: String(ts + 1) })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(check({}, { now: now + 5 * 60_000 + 1000 })).toMatchObject({ ok: false, reason: 'stale', message: expect.stringContaining('more than the 300 s allowed') });
    expect(check({}, { now: now - 5 * 60_000 - 1000 })).toMatchObject({ ok: false, reason: 'stale' });
    expect(check({}, { now: now + 5 * 60_000 - 1000 })).toMatchObject({ ok: true });
  });

  test('the digest is the same for every way of writing a header that verifies the request', () => {
    const signed = signWebhook(body, secret, ts);
    const other = signWebhook(body, 'old-secret-0123456789', ts).signature;
    const digests = [signed.signature, `v1=${signed.signature.slice(3).toUpperCase()}`, ` ${signed.signature} ,`, `${other} ${signed.signature}`, `${signed.signature},${signed.signature}`, `v2=abc ${signed.signature}`].map((signature) => {
      const check = verifyWebhook({ body, timestamp: signed.timestamp, signature }, [secret, 'old-secret-0123456789'], { now });
      return check.ok ? check.digest : check.reason;
    });
    expect(new Set(digests)).toEqual(new Set([createHash('sha256').update(`${ts}.${body}`).digest('hex')]));
  });

  test('while a secret is replaced, either verifies; a header may carry several signatures', () => {
    const old = signWebhook(body, 'old-secret-0123456789', ts);
    expect(verifyWebhook({ body, ...old }, [secret, 'old-secret-0123456789'], { now })).toMatchObject({ ok: true });
    const both = `${signWebhook(body, secret, ts).signature} ${old.signature}`;
    expect(verifyWebhook({ body, timestamp: String(ts), signature: both }, 'old-secret-0123456789', { now })).toMatchObject({ ok: true });
  });
});

describe('Slack signatures', () => {
  test('v0 is the hex HMAC-SHA256 of "v0:<timestamp>:<raw body>" (Slack’s documented example)', () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack
    const slackSecret = '8f742231b10e8888abcd99yyyzzz85a5';
    const slackBody =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const signed = signSlack(slackBody, slackSecret, 1531420618);
    expect(signed.signature).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
    expect(verifySlack({ body: slackBody, ...signed }, slackSecret, { now: 1531420618_000 })).toMatchObject({ ok: true });
    expect(verifySlack({ body: slackBody, ...signed }, slackSecret, { now: 1531420618_000 + 301_000 })).toMatchObject({ ok: false, reason: 'stale' });
    expect(verifySlack({ body: slackBody, ...signWebhook(slackBody, slackSecret, 1531420618) }, slackSecret, { now: 1531420618_000 })).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

test('the replay guard refuses a signature seen before, and forgets it once it is too old to verify', () => {
  const guard = new ReplayGuard(60_000);
  expect(guard.check('v1=aa', ts, now)).toBe(true);
  expect(guard.check('v1=aa', ts, now + 1000)).toBe(false);
  expect(guard.check('v1=bb', ts, now + 1000)).toBe(true);
  expect(guard.check('v1=aa', ts, now + 61_000)).toBe(true);
});
