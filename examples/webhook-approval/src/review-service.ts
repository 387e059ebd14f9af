// The finance desk's side of the webhook, as a receiver would write it with node:http: verify the
// signature over the raw body, acknowledge at once, and answer later with a signed POST to the
// answerUrl the question carries. Here it approves refunds up to 1000 and leaves larger ones for
// a manager who is away, so those time out.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signedHeaders, verifyWebhook, type ApprovalAnswerInput, type WebhookQuestion } from '@handrail/core';

export interface ReviewService {
  url: string;
  /** What the desk did, in order. */
  log: string[];
  close(): Promise<void>;
}

/**
 * Starts the finance desk on loopback.
 *
 * @example
 * const desk = await startReviewService({ secret });
 * const webhook = new WebhookChannel({ url: desk.url, secret });
 */
export async function startReviewService(options: { secret: string; onLog?: (line: string) => void; delayMs?: number }): Promise<ReviewService> {
  const log: string[] = [];
  const note = (line: string) => {
    log.push(line);
    options.onLog?.(line);
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      // Verify the exact bytes received, before parsing them.
      const check = verifyWebhook({ body, timestamp: request.headers['handrail-timestamp'] as string | undefined, signature: request.headers['handrail-signature'] as string | undefined }, options.secret);
      if (!check.ok) {
        note(`refused a delivery: ${check.message}`);
        response.writeHead(401).end();
        return;
      }
      const question = JSON.parse(body.toString('utf8')) as WebhookQuestion;
      response.writeHead(202).end();
      const { request: asked, answerUrl } = question;
      const args = asked.tool?.args as { order?: string; amount?: number } | undefined;
      note(`received approval ${asked.id.slice(0, 8)}…: ${asked.tool?.name} ${JSON.stringify(args)} (rule ${asked.decision.rule}: ${asked.decision.reason}; answer before ${asked.expiresAt})`);
      if (!answerUrl) return;
      if ((args?.amount ?? Infinity) > 1000) {
        note(`left ${args?.order} for a manager, who is away`);
        return;
      }
      setTimeout(() => void answer(answerUrl, asked.id, { kind: 'approve', by: 'finance-desk' }), options.delayMs ?? 200);
    });
  });
  const answer = async (answerUrl: string, id: string, decision: ApprovalAnswerInput) => {
    const body = JSON.stringify({ id, answer: decision });
    const response = await fetch(answerUrl, { method: 'POST', body, headers: signedHeaders(body, options.secret) });
    note(`answered ${id.slice(0, 8)}…: ${decision.kind} → HTTP ${response.status}`);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/handrail/approvals`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
