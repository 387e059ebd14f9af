// A webhook target for tests and offline demos: receives Handrail's signed questions, checks
// their signatures as a real receiver must, and sends signed answers back.
import type { ApprovalAnswerInput } from '../channels/answers.js';
import { header, listen, readBody, sendJson, type Listening } from '../channels/http.js';
import { signatureHeader, signedHeaders, timestampHeader, verifyWebhook } from '../channels/signing.js';
import type { WebhookQuestion } from '../channels/webhook-channel.js';
import { Inbox } from './inbox.js';

/** A delivery refused by the receiver, and why. */
export interface RefusedDelivery {
  status: number;
  error: string;
  body: string;
}

/** What the answer endpoint said. */
export interface AnswerResponse {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs an answer as a person's tool would, and reads the reply (JSON, or its text). */
export async function postAnswer(url: string, body: string, headers: Record<string, string>): Promise<AnswerResponse> {
  const response = await fetch(url, { method: 'POST', body, headers });
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed };
}

export interface WebhookReceiverOptions {
  /** The shared secret: questions must be signed with it, answers are. */
  secret: string;
  /** Called with each verified question, e.g. to answer it as a person would. */
  onQuestion?: (question: WebhookQuestion, receiver: WebhookReceiver) => void;
  /** The status to answer deliveries with (e.g. 503 to test retries); 200 by default. */
  status?: () => number;
}

/**
 * A running stand-in webhook target.
 *
 * @example
 * const receiver = await startWebhookReceiver({ secret });
 * const webhook = new WebhookChannel({ url: receiver.url, secret });
 * const question = await receiver.questions.next();
 * await receiver.answer(question, { kind: 'approve', by: 'ana' }); // { status: 200, body: { status: 'answered', … } }
 */
export interface WebhookReceiver {
  url: string;
  /** Questions whose signature verified. */
  questions: Inbox<WebhookQuestion>;
  /** Deliveries refused (bad or missing signature, not JSON). */
  refused: RefusedDelivery[];
  /** Sends a signed answer to the question's answerUrl. `timestamp` (Unix seconds) and `secret` may be forced, to test refusals. */
  answer(question: WebhookQuestion, answer: ApprovalAnswerInput, options?: { timestamp?: number; secret?: string; answerUrl?: string }): Promise<AnswerResponse>;
  /** POSTs exactly these bytes and headers to a URL (to replay a request, or send a malformed one). */
  post(url: string, body: string, headers: Record<string, string>): Promise<AnswerResponse>;
  close(): Promise<void>;
}

/**
 * Starts a stand-in webhook target on loopback.
 *
 * @example
 * const receiver = await startWebhookReceiver({ secret, onQuestion: (q, r) => void r.answer(q, { kind: 'approve', by: 'bot' }) });
 */
export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const questions = new Inbox<WebhookQuestion>();
  const refused: RefusedDelivery[] = [];
  const post = postAnswer;
  let receiver: WebhookReceiver;
  const server: Listening = await listen(async (request, response) => {
    const body = (await readBody(request, 5_000_000)).toString('utf8');
    const check = verifyWebhook({ body, timestamp: header(request, timestampHeader), signature: header(request, signatureHeader) }, options.secret);
    if (!check.ok) {
      refused.push({ status: 401, error: check.message, body });
      return sendJson(response, 401, { error: check.message });
    }
    let question: WebhookQuestion;
    try {
      question = JSON.parse(body) as WebhookQuestion;
    } catch {
      refused.push({ status: 400, error: 'not JSON', body });
      return sendJson(response, 400, { error: 'not JSON' });
    }
    const status = options.status?.() ?? 200;
    sendJson(response, status, status < 300 ? { received: question.request?.id } : { error: 'unavailable' });
    if (status >= 300) return;
    questions.push(question);
    options.onQuestion?.(question, receiver);
  });
  receiver = {
    url: `${server.url}/approvals`,
    questions,
    refused,
    post,
    answer: (question, answer, answerOptions = {}) => {
      const url = answerOptions.answerUrl ?? question.answerUrl;
      if (!url) throw new Error('the question carries no answerUrl: give the WebhookChannel an answerUrl or call listen()');
      const body = JSON.stringify({ id: question.request.id, answer });
      return post(url, body, signedHeaders(body, answerOptions.secret ?? options.secret, answerOptions.timestamp));
    },
    close: () => server.close(),
  };
  return receiver;
}
