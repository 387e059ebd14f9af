// A local OpenAI-compatible HTTP server with scripted replies, so the real `openai` client is
// exercised without a network: POST /v1/chat/completions (plain or streamed), GET /v1/models.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ModelMessage } from '../messages.js';
import type { ToolDefinition } from '../models/model.js';
import { countTokens, Script, type ScriptedReply } from './script.js';

/** A request the server received, as the client sent it. */
export interface RecordedRequest {
  model: string;
  messages: ModelMessage[];
  tools?: ToolDefinition[];
  temperature?: number;
  stream?: boolean;
  /** The stream's options as sent (`include_usage` asks for a last chunk with the usage). */
  streamOptions?: { include_usage?: boolean };
  headers: Record<string, string | string[] | undefined>;
}

export interface OpenAIServerOptions {
  /** The reply once the script is used up; by default the server answers 500 then. */
  whenDone?: ScriptedReply;
  /** Port to listen on (a free one by default); the server listens on 127.0.0.1 only. */
  port?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
}

/**
 * @example
 * const server = await startOpenAIServer(['a1', 'TERMINATE']);
 * const model = new OpenAIModel({ model: 'scripted', baseURL: server.baseURL, apiKey: 'test' });
 * // ...
 * await server.close();
 */
export interface OpenAIServer {
  /** The base URL to give the `openai` client, ending in `/v1`. */
  readonly baseURL: string;
  readonly requests: RecordedRequest[];
  /** Scripted replies not used yet. */
  readonly remaining: number;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sendJSON(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function error(response: ServerResponse, status: number, message: string, type = 'invalid_request_error'): void {
  sendJSON(response, status, { error: { message, type, param: null, code: null } });
}

/**
 * Starts a scripted OpenAI-compatible server on 127.0.0.1.
 *
 * @example
 * const server = await startOpenAIServer([{ toolCalls: [{ name: 'lookup', arguments: { id: '42' } }] }, 'Found it. TERMINATE']);
 */
export async function startOpenAIServer(replies: readonly ScriptedReply[], options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const script = new Script(replies, options.whenDone);
  const requests: RecordedRequest[] = [];
  let completions = 0;

  const server = createServer(async (request, response) => {
    try {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/^\/v1/, '');
      if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) return error(response, 401, 'Incorrect API key provided.', 'authentication_error');
      if (request.method === 'GET' && path === '/models') return sendJSON(response, 200, { object: 'list', data: [{ id: 'scripted', object: 'model', created: 0, owned_by: 'handrail' }] });
      if (request.method !== 'POST' || path !== '/chat/completions') return error(response, 404, `no route for ${request.method} ${request.url}`);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(await readBody(request)) as Record<string, unknown>;
      } catch {
        return error(response, 400, 'the body is not valid JSON');
      }
      if (typeof body.model !== 'string' || !Array.isArray(body.messages)) return error(response, 400, 'model and messages are required');
      const recorded: RecordedRequest = {
        model: body.model,
        messages: body.messages as ModelMessage[],
        ...(body.tools !== undefined ? { tools: body.tools as ToolDefinition[] } : {}),
        ...(typeof body.temperature === 'number' ? { temperature: body.temperature } : {}),
        ...(body.stream === true ? { stream: true } : {}),
        ...(isRecord(body.stream_options) ? { streamOptions: body.stream_options as { include_usage?: boolean } } : {}),
        headers: request.headers,
      };
      requests.push(recorded);
      let reply;
      try {
        reply = script.next({ messages: recorded.messages, ...(recorded.tools ? { tools: recorded.tools } : {}) });
      } catch (failure) {
        return error(response, 500, (failure as Error).message, 'server_error');
      }
      const id = `chatcmpl-${++completions}`;
      const created = Math.floor(Date.now() / 1000);
      const finish = reply.toolCalls.length ? 'tool_calls' : 'stop';
      const promptTokens = recorded.messages.reduce((sum, message) => sum + countTokens(typeof message.content === 'string' ? message.content : ''), 0);
      const completionTokens = countTokens(reply.content ?? '') + reply.toolCalls.length;
      const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
      if (body.stream === true) {
        response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        // As the API does: with include_usage every chunk carries `usage: null`, and a last chunk
        // with no choices carries the usage.
        const includeUsage = recorded.streamOptions?.include_usage === true;
        const send = (fields: { choices: unknown[]; usage?: unknown }) =>
          response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, ...fields })}\n\n`);
        const chunk = (delta: unknown, finishReason: string | null) =>
          send({ choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }], ...(includeUsage ? { usage: null } : {}) });
        chunk({ role: 'assistant', content: reply.content ?? null }, null);
        if (reply.toolCalls.length) chunk({ tool_calls: reply.toolCalls.map((call, index) => ({ index, ...call })) }, null);
        chunk({}, finish);
        if (includeUsage) send({ choices: [], usage });
        response.end('data: [DONE]\n\n');
        return;
      }
      sendJSON(response, 200, {
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: reply.content, refusal: null, ...(reply.toolCalls.length ? { tool_calls: reply.toolCalls } : {}) },
            finish_reason: finish,
            logprobs: null,
          },
        ],
        usage,
      });
    } catch (failure) {
      if (!response.headersSent) error(response, 500, (failure as Error).message, 'server_error');
      else response.end();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    get remaining() {
      return script.remaining;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((failure) => (failure ? reject(failure) : resolve()));
      }),
  };
}
