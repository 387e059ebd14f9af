// `corepack pnpm --filter @handrail/example-webhook-approval start`. Offline by default: a
// scripted clerk on the local OpenAI-compatible server, and a finance desk on loopback that
// receives the signed questions and answers some of them. With HANDRAIL_WEBHOOK_URL and
// HANDRAIL_WEBHOOK_SECRET set, the questions go to your endpoint instead, and answers are taken on
// HANDRAIL_ANSWER_PORT (8787) at /approvals/answer (HANDRAIL_ANSWER_URL: the address your
// endpoint should use, when it differs). A real model when OPENAI_API_KEY or OPENAI_BASE_URL is set.
import { randomBytes } from 'node:crypto';
import { openAIModelFromEnv, WebhookChannel } from '@handrail/core';
import { ScriptedIO, startScriptedModels } from '@handrail/core/testing';
import { runRefunds } from './demo.js';
import { startReviewService, type ReviewService } from './review-service.js';
import { clerkScript } from './script.js';

const live = openAIModelFromEnv();
const local = live ? undefined : await startScriptedModels({ clerk: clerkScript });
const model = live ?? local!.models.clerk;
const io = new ScriptedIO([], { echo: (text) => process.stdout.write(text) });

let desk: ReviewService | undefined;
let webhook: WebhookChannel;
const target = process.env.HANDRAIL_WEBHOOK_URL;
if (target) {
  const secret = process.env.HANDRAIL_WEBHOOK_SECRET;
  if (!secret) throw new Error('HANDRAIL_WEBHOOK_URL is set: set HANDRAIL_WEBHOOK_SECRET too (the secret your endpoint verifies with)');
  webhook = new WebhookChannel({ url: target, secret });
  const endpoint = await webhook.listen({ port: Number(process.env.HANDRAIL_ANSWER_PORT ?? 8787), host: process.env.HANDRAIL_ANSWER_HOST ?? '0.0.0.0', ...(process.env.HANDRAIL_ANSWER_URL ? { publicUrl: process.env.HANDRAIL_ANSWER_URL } : {}) });
  process.stdout.write(`Webhook approvals: questions to ${target}; signed answers taken at ${endpoint.answerUrl}\n\n`);
} else {
  const secret = randomBytes(24).toString('base64url');
  desk = await startReviewService({ secret, onLog: (line) => process.stdout.write(`[finance desk] ${line}\n`) });
  webhook = new WebhookChannel({ url: desk.url, secret });
  const endpoint = await webhook.listen();
  process.stdout.write(`Webhook approvals, offline: questions to the finance desk at ${desk.url}; signed answers taken at ${endpoint.answerUrl}\n\n`);
}

try {
  const { result, refunds } = await runRefunds({ model, io, webhook });
  process.stdout.write(`\nThe chat ended: ${result.ended.cause} (${result.ended.reason}); refunded: ${refunds.map((refund) => `${refund.order} ${refund.amount} EUR`).join(', ') || 'nothing'}\n`);
} finally {
  await webhook.close();
  await desk?.close();
  await local?.close();
}
