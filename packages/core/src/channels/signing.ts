// Signatures of approval traffic. Both schemes sign a timestamp together with the exact bytes of
// the body, so a body cannot be altered and an old request cannot be sent again later:
//   Handrail webhooks  handrail-signature: v1=hex(HMAC-SHA256(secret, "<timestamp>.<body>"))
//   Slack              X-Slack-Signature:  v0=hex(HMAC-SHA256(secret, "v0:<timestamp>:<body>"))
// Timestamps are Unix seconds; requests older (or newer) than the tolerance are refused.
// A signature header is a list of `<version>=<value>` parts separated by commas or whitespace (at
// most 16): parts of this scheme's version must be 64 hex digits (either case), parts of other
// versions are ignored, and anything else makes the header malformed.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Header carrying the Unix time (seconds) a Handrail webhook request was signed at.
 *
 * @example
 * const timestamp = req.headers[timestampHeader]; // 'handrail-timestamp'
 */
export const timestampHeader = 'handrail-timestamp';
/**
 * Header carrying `v1=<hex>` signatures of a Handrail webhook request.
 *
 * @example
 * const signature = req.headers[signatureHeader]; // 'handrail-signature'
 */
export const signatureHeader = 'handrail-signature';
/**
 * Slack's headers for the same two things (lower case, as node:http gives them).
 *
 * @example
 * verifySlack({ body, timestamp: req.headers[slackTimestampHeader], signature: req.headers[slackSignatureHeader] }, secret);
 */
export const slackTimestampHeader = 'x-slack-request-timestamp';
/** @example const signature = req.headers[slackSignatureHeader]; // 'x-slack-signature' */
export const slackSignatureHeader = 'x-slack-signature';
/**
 * How far a signed timestamp may be from now: 5 minutes.
 *
 * @example
 * verifyWebhook(request, secret, { toleranceMs: defaultToleranceMs / 5 }); // a stricter minute
 */
export const defaultToleranceMs = 5 * 60_000;

const maxSignatureParts = 16;

/** Why a signature was refused. */
export type SignatureFailure = 'missing' | 'malformed' | 'mismatch' | 'stale';

/**
 * The outcome of checking a signature. `digest` is the SHA-256 (hex) of the signed text —
 * scheme, timestamp and body — so it is the same however the signature header that verified
 * it was written (case, order, padding, other signatures beside it): what replays are
 * recognised by.
 */
export type SignatureCheck = { ok: true; timestamp: number; digest: string } | { ok: false; reason: SignatureFailure; message: string };

/** A secret, or several while one is being replaced by another (any of them verifies). */
export type Secrets = string | readonly string[];

/** What a verification needs: the raw body exactly as received, and the two header values. */
export interface SignedRequest {
  body: string | Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
}

export interface VerifyOptions {
  /** Default 5 minutes. */
  toleranceMs?: number;
  /** The current time in ms (for tests); `Date.now()` by default. */
  now?: number;
}

interface Scheme {
  version: 'v0' | 'v1';
  base: (timestamp: string, body: string | Buffer) => Buffer;
}

const handrailScheme: Scheme = { version: 'v1', base: (timestamp, body) => Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(body)]) };
const slackScheme: Scheme = { version: 'v0', base: (timestamp, body) => Buffer.concat([Buffer.from(`v0:${timestamp}:`), Buffer.from(body)]) };

const nowSeconds = () => Math.floor(Date.now() / 1000);

function hmac(secret: string, data: Buffer): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

function sign(scheme: Scheme, body: string | Buffer, secret: string, timestamp: number): { timestamp: string; signature: string } {
  if (!secret) throw new TypeError('signing needs a non-empty secret');
  const ts = String(timestamp);
  return { timestamp: ts, signature: `${scheme.version}=${hmac(secret, scheme.base(ts, body))}` };
}

function verify(scheme: Scheme, request: SignedRequest, secrets: Secrets, options: VerifyOptions): SignatureCheck {
  const keys = (typeof secrets === 'string' ? [secrets] : [...secrets]).filter(Boolean);
  if (!keys.length) throw new TypeError('verifying needs at least one non-empty secret');
  if (!request.signature) return { ok: false, reason: 'missing', message: 'the request is not signed' };
  if (!request.timestamp) return { ok: false, reason: 'missing', message: 'the request has no signed timestamp' };
  if (!/^\d{1,12}$/.test(request.timestamp)) return { ok: false, reason: 'malformed', message: 'the timestamp must be Unix seconds' };
  const given = signaturesOf(scheme, request.signature);
  if (!given) return { ok: false, reason: 'malformed', message: `the signature must be ${scheme.version}=<64 hex digits>, several separated by commas or spaces (at most ${maxSignatureParts})` };
  const base = scheme.base(request.timestamp, request.body);
  const matches = keys.some((key) => {
    const expected = Buffer.from(hmac(key, base), 'hex');
    return given.some((signature) => timingSafeEqual(expected, signature));
  });
  if (!matches) return { ok: false, reason: 'mismatch', message: 'the signature does not match' };
  const timestamp = Number(request.timestamp);
  const age = Math.abs((options.now ?? Date.now()) - timestamp * 1000);
  if (age > (options.toleranceMs ?? defaultToleranceMs)) return { ok: false, reason: 'stale', message: `the timestamp is ${Math.round(age / 1000)} s away from now, more than the ${Math.round((options.toleranceMs ?? defaultToleranceMs) / 1000)} s allowed` };
  return { ok: true, timestamp, digest: createHash('sha256').update(base).digest('hex') };
}

/** The signatures of the scheme's version in a header, decoded; undefined when the header is malformed. */
function signaturesOf(scheme: Scheme, header: string): Buffer[] | undefined {
  const parts = header.split(/[\s,]+/).filter(Boolean);
  if (!parts.length || parts.length > maxSignatureParts) return undefined;
  const signatures: Buffer[] = [];
  for (const part of parts) {
    const match = /^([a-z0-9]+)=(.*)$/i.exec(part);
    if (!match) return undefined;
    if (match[1] !== scheme.version) continue;
    if (!/^[0-9a-f]{64}$/i.test(match[2]!)) return undefined;
    signatures.push(Buffer.from(match[2]!, 'hex'));
  }
  return signatures.length ? signatures : undefined;
}

/**
 * Signs a Handrail webhook body: `handrail-timestamp` and `handrail-signature` header values.
 *
 * @example
 * const body = JSON.stringify({ id, answer: { kind: 'approve' } });
 * const { timestamp, signature } = signWebhook(body, process.env.HANDRAIL_WEBHOOK_SECRET!);
 * await fetch(answerUrl, { method: 'POST', body, headers: { 'content-type': 'application/json', 'handrail-timestamp': timestamp, 'handrail-signature': signature } });
 */
export function signWebhook(body: string | Buffer, secret: string, timestamp: number = nowSeconds()): { timestamp: string; signature: string } {
  return sign(handrailScheme, body, secret, timestamp);
}

/**
 * The headers of a signed Handrail webhook request with a JSON body.
 *
 * @example
 * await fetch(url, { method: 'POST', body, headers: signedHeaders(body, secret) });
 */
export function signedHeaders(body: string | Buffer, secret: string, timestamp?: number): Record<string, string> {
  const signed = signWebhook(body, secret, timestamp);
  return { 'content-type': 'application/json', [timestampHeader]: signed.timestamp, [signatureHeader]: signed.signature };
}

/**
 * Checks a Handrail webhook signature over the raw body, in constant time, and that its
 * timestamp is within the tolerance.
 *
 * @example
 * const check = verifyWebhook({ body: rawBody, timestamp: req.headers['handrail-timestamp'], signature: req.headers['handrail-signature'] }, secret);
 * if (!check.ok) return res.writeHead(401).end(check.message);
 */
export function verifyWebhook(request: SignedRequest, secrets: Secrets, options: VerifyOptions = {}): SignatureCheck {
  return verify(handrailScheme, request, secrets, options);
}

/**
 * Signs a body as Slack signs its requests (`X-Slack-Request-Timestamp`, `X-Slack-Signature`).
 *
 * @example
 * const { timestamp, signature } = signSlack(formBody, signingSecret);
 */
export function signSlack(body: string | Buffer, signingSecret: string, timestamp: number = nowSeconds()): { timestamp: string; signature: string } {
  return sign(slackScheme, body, signingSecret, timestamp);
}

/**
 * Checks a Slack request signature (`v0=HMAC_SHA256(secret, "v0:<ts>:<raw body>")`) and its
 * 5-minute window.
 *
 * @example
 * const check = verifySlack({ body: rawBody, timestamp: req.headers['x-slack-request-timestamp'], signature: req.headers['x-slack-signature'] }, signingSecret);
 */
export function verifySlack(request: SignedRequest, signingSecrets: Secrets, options: VerifyOptions = {}): SignatureCheck {
  return verify(slackScheme, request, signingSecrets, options);
}
