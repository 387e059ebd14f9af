// Packages that a command may never need are loaded the first time they are used, not when the
// CLI or the library starts: `handrail check` on a policy without regexes never loads the
// linear regex engine, and nothing but the reference engine loads json-rules-engine. Loading is
// synchronous (require), as compiling and deciding are.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A function that returns the package `name`, loading it on its first call.
 *
 * @example
 * const re2js = loadOnUse<typeof import('re2js')>('re2js');
 * re2js().RE2JS.compile('a+');
 */
export function loadOnUse<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
