// Small helpers for the channels' HTTP endpoints (node:http only).
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sleep } from '@handrail/policy';
import type { AnswerOutcome } from './pending-approvals.js';

/** A request body larger than the limit. */
export class BodyTooLarge extends Error {}

/**
 * The largest body any endpoint reads: 1 MB. Larger ones are answered 413.
 *
 * @example
 * const body = await readBody(request, maxBodyBytes);
 */
export const maxBodyBytes = 1_000_000;

/** How much of a refused body is still read (and dropped) so the client gets its 413 before the connection closes. */
const maxDrainBytes = 16_000_000;

/**
 * The raw body, refused past `limit` bytes: the rest is read and dropped (up to 16 MB, then the
 * connection is cut) so the 413 reaches a client still sending.
 */
export function readBody(request: IncomingMessage, limit: number = maxBodyBytes): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit + maxDrainBytes) return void request.destroy();
      if (size > limit) return reject(new BodyTooLarge(`the body is larger than ${limit} bytes`));
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** One header's value (the first when repeated). */
export function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Sends a JSON response. */
export function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), ...headers });
  response.end(body);
}

/** A listening server and how to stop it. */
export interface Listening {
  /** `http://host:port`, without a trailing slash. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts a server on `host:port` (port 0: any free port). */
export async function listen(handler: RequestListener, options: { port?: number; host?: string } = {}): Promise<Listening> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer(handler);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** POSTs with retries on network errors, 429 and 5xx; returns the final response. */
export async function postWithRetries(
  fetchImpl: typeof fetch,
  url: string,
  init: { body: string; headers: Record<string, string>; signal: AbortSignal },
  retries: number,
): Promise<Response> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt) await sleep(Math.min(250 * 2 ** (attempt - 1), 4000), { signal: init.signal });
    if (init.signal.aborted) throw init.signal.reason ?? new Error('aborted');
    try {
      const response = await fetchImpl(url, { method: 'POST', body: init.body, headers: init.headers, signal: AbortSignal.any([init.signal, AbortSignal.timeout(10_000)]) });
      if (response.status !== 429 && response.status < 500) return response;
      lastError = new Error(`HTTP ${response.status}`);
      if (attempt === retries) return response;
      await response.body?.cancel();
    } catch (error) {
      lastError = error;
      if (init.signal.aborted) throw error;
    }
  }
  throw lastError;
}

/** The HTTP answer to an AnswerOutcome, shared by the channels' endpoints. */
export function sendOutcome(response: ServerResponse, id: string, outcome: AnswerOutcome): void {
  switch (outcome.status) {
    case 'answered':
      return sendJson(response, 200, { status: 'answered', id, answer: outcome.answer });
    case 'repeated':
      return sendJson(response, 200, { status: 'already-answered', id, answer: outcome.answer });
    case 'conflict':
      return sendJson(response, 409, { error: outcome.answer.kind === 'timeout' ? 'the question timed out before this answer' : 'the question was already answered differently', reason: 'already-answered', id, answer: outcome.answer });
    case 'unknown':
      return sendJson(response, 404, { error: `no approval ${JSON.stringify(id)} is known here`, id });
  }
}
