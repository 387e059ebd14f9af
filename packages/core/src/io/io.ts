// Where human input comes from and notes go to: AutoGen's IOStream, as an object per agent or a
// process default.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ConsoleIO } from './console-io.js';
import type { HumanIO } from './human-io.js';

export type { HumanIO, InputOptions } from './human-io.js';

let processDefault: HumanIO | undefined;
const scoped = new AsyncLocalStorage<HumanIO>();

/**
 * The io used by agents that were given none: the one of the enclosing `runWithIO`, else the
 * process default, else the console.
 *
 * @example
 * getDefaultIO().print('starting');
 */
export function getDefaultIO(): HumanIO {
  const found = scoped.getStore() ?? processDefault;
  return found ?? (processDefault = new ConsoleIO());
}

/**
 * Sets the process default io; returns the previous one.
 *
 * @example
 * setDefaultIO(new ConsoleIO());
 */
export function setDefaultIO(io: HumanIO | undefined): HumanIO | undefined {
  const previous = processDefault;
  processDefault = io;
  return previous;
}

/**
 * Runs `body` with `io` as the default for everything it awaits, as AutoGen's
 * `with IOStream.set_default(io):`.
 *
 * @example
 * await runWithIO(scripted, () => user.initiateChat(assistant, { message: 'task' }));
 */
export function runWithIO<T>(io: HumanIO, body: () => T): T {
  return scoped.run(io, body);
}
