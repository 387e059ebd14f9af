import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so equal documents hash equally. Audit records
 * are chained with it: its output for any value must never change. Built in one string, as
 * policies of thousands of rules are hashed whenever they load.
 */
export function canonicalJson(value: unknown): string {
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
  if (value !== null && typeof value === 'object') {
    // Default sort compares UTF-16 code units, as `<` does.
    const keys = Object.keys(value).sort();
    let out = '{';
    for (const key of keys) {
      const entry = (value as Record<string, unknown>)[key];
      if (entry === undefined) continue;
      if (out.length > 1) out += ',';
      out += `${JSON.stringify(key)}:${canonicalJson(entry)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value);
}

export function contentHash(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
}
