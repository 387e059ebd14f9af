// Several scripted models at once, each on its own local OpenAI-compatible server, reached with
// the real openai client: what an example runs on when no endpoint is configured.
import { OpenAIModel } from '../models/openai-model.js';
import { startOpenAIServer, type OpenAIServer } from './openai-server.js';
import type { ScriptedReply } from './script.js';

/**
 * @example
 * const local = await startScriptedModels({ researcher: ['…'], writer: ['…'] });
 * // local.models.researcher is an OpenAIModel on http://127.0.0.1:…/v1
 * await local.close();
 */
export interface ScriptedModels<K extends string> {
  models: Record<K, OpenAIModel>;
  servers: Record<K, OpenAIServer>;
  close(): Promise<void>;
}

/**
 * Starts one scripted server per entry and an OpenAIModel for each.
 *
 * @example
 * const { models, close } = await startScriptedModels({ clerk: clerkScript });
 */
export async function startScriptedModels<K extends string>(scripts: Record<K, readonly ScriptedReply[]>): Promise<ScriptedModels<K>> {
  const entries = await Promise.all(
    (Object.entries(scripts) as Array<[K, readonly ScriptedReply[]]>).map(async ([name, script]) => {
      const server = await startOpenAIServer(script);
      return [name, server, new OpenAIModel({ model: `scripted-${name}`, baseURL: server.baseURL, apiKey: 'offline', maxRetries: 0 })] as const;
    }),
  );
  const models = Object.fromEntries(entries.map(([name, , model]) => [name, model])) as Record<K, OpenAIModel>;
  const servers = Object.fromEntries(entries.map(([name, server]) => [name, server])) as Record<K, OpenAIServer>;
  return { models, servers, close: async () => void (await Promise.all(entries.map(([, server]) => server.close()))) };
}
