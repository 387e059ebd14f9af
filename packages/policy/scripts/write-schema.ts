// Writes schema/policy-document.schema.json, the JSON Schema of a compiled policy, from
// `policyDocumentSchema`. The file is generated and committed; a test checks that running this
// changes nothing. Run it after changing the schema:
//   npx tsx packages/policy/scripts/write-schema.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { policyDocumentSchema } from '../src/index.js';

/** Where the schema is published in the package. */
export const schemaFile = new URL('../schema/policy-document.schema.json', import.meta.url);

/**
 * The schema file's text: the schema as JSON, two-space indented, with a final line break.
 *
 * @example
 * writeFileSync(schemaFile, schemaText());
 */
export function schemaText(): string {
  return `${JSON.stringify(policyDocumentSchema, null, 2)}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(schemaFile, schemaText());
  process.stdout.write(`wrote ${fileURLToPath(schemaFile)}\n`);
}
