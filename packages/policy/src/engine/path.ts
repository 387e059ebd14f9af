// Reading a fact at a JSONPath exactly as json-rules-engine does with jsonpath-plus: a fact that
// is not an object is returned whole; otherwise each step needs an own property.

const hasOwn = Object.prototype.hasOwnProperty;

/** Splits the paths the compiler emits (`$.args.amount`, `$.items[0]`, `$['a b']`) into keys. */
export function pathKeys(path: string): string[] {
  const keys: string[] = [];
  const pattern = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['([^']*)'\]/y;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const match = pattern.exec(path);
    if (!match) throw new Error(`unsupported path ${path}`);
    keys.push((match[1] ?? match[2] ?? match[3]) as string);
  }
  return keys;
}

export function readPath(root: unknown, keys: readonly string[]): unknown {
  if (root === null || typeof root !== 'object') return root;
  let value: unknown = root;
  for (const key of keys) {
    if (value !== null && (typeof value === 'object' || typeof value === 'string') && hasOwn.call(value, key)) value = (value as Record<string, unknown>)[key];
    else return undefined;
  }
  return value;
}
