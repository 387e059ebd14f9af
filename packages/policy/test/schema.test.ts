// The published JSON Schema of a compiled policy is generated from `policyDocumentSchema`: the
// committed file is what the script writes, and a plain JSON Schema validator accepts compiled
// policies and refuses broken ones with it.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { schemaFile, schemaText } from '../scripts/write-schema.js';
import { compilePolicy, policyDocumentSchema, presetPolicy } from '../src/index.js';

const committed = readFileSync(schemaFile, 'utf8');

describe('schema/policy-document.schema.json', () => {
  it('is what scripts/write-schema.ts writes (run it after changing the schema)', () => {
    expect(committed).toBe(schemaText());
    expect(JSON.parse(committed)).toEqual(JSON.parse(JSON.stringify(policyDocumentSchema)));
  });

  it('validates compiled policies with a plain JSON Schema 2020-12 validator', () => {
    const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(JSON.parse(committed) as object);
    const policy = compilePolicy('policy p version 2\nfact tier: string\nrule r priority 2: when tier == "gold" and content matches /hi/i then escalate "ask" via desk timeout 10m else continue');
    expect(validate(JSON.parse(JSON.stringify(policy.document)))).toBe(true);
    for (const name of ['always', 'never', 'terminate'] as const) expect(validate(JSON.parse(JSON.stringify(presetPolicy(name).document)))).toBe(true);
    const broken = structuredClone(policy.document) as unknown as { rules: Array<{ conditions: { all: Array<{ operator: string }> } }> };
    broken.rules[0]!.conditions.all[0]!.operator = 'bogus';
    expect(validate(broken)).toBe(false);
  });
});
