// The JSON Schema of the test format (schema/policy-test.schema.json, the one source for editors
// and for this validator), compiled once with ajv, and its errors as positioned diagnostics.
import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { loadOnUse } from '../load-on-use.js';
import type { Span } from '../ast.js';
import type { PolicyTestDiagnostic } from './errors.js';

/** Where the schema file is, from `src/policy-tests/` and from `dist/policy-tests/` alike. */
export const policyTestSchemaUrl = new URL('../../schema/policy-test.schema.json', import.meta.url);

const ajv = loadOnUse<typeof import('ajv/dist/2020.js')>('ajv/dist/2020.js');

let validate: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (!validate) {
    const schema = JSON.parse(readFileSync(policyTestSchemaUrl, 'utf8')) as object;
    // verbose: the errors carry their schema, so an unknown property can list the known ones.
    validate = new (ajv().Ajv2020)({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true }).compile(schema);
  }
  return validate;
}

/** A place in the test file: the value at a JSON Pointer, or the key naming it. */
export interface Locator {
  value(pointer: string): Span;
  key(pointer: string): Span;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function describeBranch(error: ErrorObject): string {
  if (error.keyword === 'type') return String(error.params.type).replace(/,/g, ' or ');
  if (error.keyword === 'pattern') return `text matching ${error.params.pattern}`;
  if (error.keyword === 'minimum') return `a number >= ${error.params.limit}`;
  return (error.message ?? 'valid').replace(/^must be /, '');
}

/** The test file's JSON against the schema; an empty list when it conforms. */
export function schemaDiagnostics(data: unknown, at: Locator): PolicyTestDiagnostic[] {
  const check = validator();
  if (check(data)) return [];
  const byPlace = new Map<string, ErrorObject[]>();
  for (const error of check.errors ?? []) {
    if (error.keyword === 'if') continue;
    byPlace.set(error.instancePath, [...(byPlace.get(error.instancePath) ?? []), error]);
  }
  const diagnostics: PolicyTestDiagnostic[] = [];
  const add = (message: string, span: Span, expected?: string[]) =>
    diagnostics.push({ code: 'INVALID_TEST_FILE', message, span, ...(expected?.length ? { expected } : {}) });
  for (const [place, errors] of byPlace) {
    const where = place || '/';
    if (errors.some((e) => e.keyword === 'anyOf')) {
      // One message per place: the branches of an anyOf become "must be a or b".
      const branches = errors.filter((e) => e.keyword !== 'anyOf');
      const text = errors.some((e) => e.schemaPath.includes('/duration/'))
        ? 'must be milliseconds or a duration such as 10m'
        : `must be ${branches.map(describeBranch).join(' or ')}`;
      add(`${where}: ${text}`, at.value(place));
      continue;
    }
    for (const error of errors) {
      if (error.keyword === 'additionalProperties') {
        const name = String(error.params.additionalProperty);
        const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        add(`${where}: unknown property ${JSON.stringify(name)}`, at.key(`${place}/${escapePointer(name)}`), known);
      } else if (error.keyword === 'false schema') {
        const name = place.slice(place.lastIndexOf('/') + 1);
        add(`${where}: a case with a conversation has no ${JSON.stringify(name)}; give each turn of the conversation its own`, at.key(place));
      } else if (error.keyword === 'enum') {
        add(`${where}: must be one of the allowed values`, at.value(place), (error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)));
      } else if (error.keyword === 'minProperties') {
        add(`${where}: is empty, so it checks nothing; give the fields to check, or leave it out`, at.value(place));
      } else if (error.keyword === 'required') {
        add(`${where}: needs ${JSON.stringify(error.params.missingProperty)}`, at.value(place));
      } else {
        add(`${where}: ${error.message ?? 'is invalid'}`, at.value(place));
      }
    }
  }
  return diagnostics;
}
