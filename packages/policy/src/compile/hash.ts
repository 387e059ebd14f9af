import { createHash } from 'node:crypto';

// Object keys quoted once: documents repeat a few dozen keys thousands of times.
const quotedKeys = new Map<string, string>();
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = `${JSON.stringify(key)}:`;
    if (quotedKeys.size < 1_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** Sorts by UTF-16 code units, as the default sort does; by insertion when few, as most objects are. */
function sortKeys(keys: string[]): void {
  if (keys.length > 12) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
}

/**
 * JSON with object keys sorted at every level, so equal documents hash equally. Audit records
 * are chained with it: its output for any value must never change. Built in one string, as
 * policies of thousands of rules are hashed whenever they load.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // Like Array.prototype.join: an element with no JSON (undefined, a function) leaves nothing.
      const element = canonicalJson(value[i]) as string | undefined;
      if (element !== undefined) out += element;
    }
    return `${out}]`;
  }
  const keys = Object.keys(value);
  sortKeys(keys);
  let out = '{';
  let first = true;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const entry = (value as Record<string, unknown>)[key];
    if (entry === undefined) continue;
    if (!first) out += ',';
    first = false;
    // A function's entry is written `undefined`, as the first form's template string did.
    out += quotedKey(key) + String(canonicalJson(entry));
  }
  return `${out}}`;
}

export function contentHash(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
}
