// LangGraph's in-memory checkpointer, kept in a JSON file after every write, so a paused graph
// outlives the process that paused it. One process at a time; a real deployment uses a database
// checkpointer (Postgres, SQLite) the same way.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { MemorySaver } from '@langchain/langgraph';

type Saved = { storage: MemorySaver['storage']; writes: MemorySaver['writes'] };

// Checkpoints hold bytes: kept as base64 in the JSON.
const bytesTag = '$bytes';
const toJson = (_key: string, value: unknown) => (value instanceof Uint8Array ? { [bytesTag]: Buffer.from(value).toString('base64') } : value);
const fromJson = (_key: string, value: unknown) =>
  value !== null && typeof value === 'object' && typeof (value as Record<string, unknown>)[bytesTag] === 'string' ? new Uint8Array(Buffer.from((value as Record<string, string>)[bytesTag]!, 'base64')) : value;

/**
 * A MemorySaver whose checkpoints survive the process, in one JSON file.
 *
 * @example
 * const agent = createAgent({ model, tools, middleware, checkpointer: new FileCheckpointer('.handrail/checkpoints.json') });
 */
export class FileCheckpointer extends MemorySaver {
  constructor(readonly path: string) {
    super();
    if (existsSync(path)) {
      const saved = JSON.parse(readFileSync(path, 'utf8'), fromJson) as Saved;
      Object.assign(this.storage, saved.storage);
      Object.assign(this.writes, saved.writes);
    }
  }

  override async put(...args: Parameters<MemorySaver['put']>) {
    const result = await super.put(...args);
    this.#save();
    return result;
  }

  override async putWrites(...args: Parameters<MemorySaver['putWrites']>) {
    await super.putWrites(...args);
    this.#save();
  }

  #save(): void {
    // Written whole, then renamed: a crash leaves the old file or the new one, never half of one.
    writeFileSync(`${this.path}.tmp`, JSON.stringify({ storage: this.storage, writes: this.writes } satisfies Saved, toJson));
    renameSync(`${this.path}.tmp`, this.path);
  }
}
