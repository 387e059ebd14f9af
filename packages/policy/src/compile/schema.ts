// JSON Schema (2020-12) of a compiled policy document, derived from the operator table so the
// two cannot drift. Also published as schema/policy-document.schema.json for editors.
import { documentFormat } from '../document.js';
import { factTypes, resettableCounters } from '../facts.js';
import { operators, type OperatorDefinition } from '../operators.js';
import { maxDurationMs } from '../syntax/lexer.js';
import { maxHistoryWindow } from '../history.js';

const name = '^[A-Za-z_][A-Za-z0-9_]*$';
const factReference = {
  type: 'object',
  required: ['fact'],
  additionalProperties: false,
  properties: { fact: { type: 'string', pattern: name }, path: { $ref: '#/$defs/path' }, params: { $ref: '#/$defs/historyParams' } },
  if: { type: 'object', required: ['params'] },
  then: { properties: { fact: { const: 'history' } } },
};
const scalar = { type: ['string', 'number', 'boolean'] };

const valueSchemas: Record<OperatorDefinition['value'], object> = {
  string: { type: 'string' },
  strings: { type: 'array', minItems: 1, items: { type: 'string' } },
  scalar,
  scalars: { type: 'array', minItems: 1, items: scalar },
  number: { type: 'number' },
  count: { type: 'integer', minimum: 1 },
  boolean: { type: 'boolean' },
  directory: {
    type: 'object',
    required: ['fact', 'params'],
    additionalProperties: false,
    properties: {
      fact: { const: 'directory' },
      params: { type: 'object', required: ['path'], additionalProperties: false, properties: { path: { type: 'string', minLength: 1 } } },
    },
  },
  regex: {
    type: 'object',
    required: ['pattern', 'flags'],
    additionalProperties: false,
    properties: { pattern: { type: 'string' }, flags: { type: 'string', pattern: '^[imsu]*$' } },
  },
};

function valueSchema(definition: OperatorDefinition): object {
  const literal = valueSchemas[definition.value];
  return definition.acceptsFact ? { anyOf: [literal, { $ref: '#/$defs/factReference' }] } : literal;
}

const branch = (key: 'all' | 'any' | 'not') => ({
  type: 'object',
  required: [key],
  additionalProperties: false,
  properties: { [key]: key === 'not' ? { $ref: '#/$defs/condition' } : { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' } } },
});

export const policyDocumentSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:handrail:policy-document:v1',
  title: 'Handrail compiled policy',
  type: 'object',
  required: ['format', 'name', 'rules'],
  additionalProperties: false,
  properties: {
    format: { const: documentFormat },
    name: { type: 'string', pattern: name },
    version: { type: 'string' },
    mode: { type: 'string' },
    maxAutoReplies: { type: 'integer', minimum: 0 },
    facts: {
      type: 'object',
      propertyNames: { pattern: name },
      additionalProperties: {
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: { type: { enum: [...factTypes] } },
      },
    },
    tools: {
      type: 'object',
      propertyNames: { minLength: 1 },
      additionalProperties: {
        type: 'object',
        required: ['args'],
        additionalProperties: false,
        properties: {
          args: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              required: ['type'],
              additionalProperties: false,
              properties: { type: { enum: [...factTypes] }, optional: { const: true } },
            },
          },
          openEnded: { const: true },
        },
      },
    },
    default: { $ref: '#/$defs/event' },
    rules: { type: 'array', items: { $ref: '#/$defs/rule' } },
    hash: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
  },
  $defs: {
    path: { type: 'string', pattern: "^\\$(\\.[A-Za-z_][A-Za-z0-9_]*|\\[[0-9]+\\]|\\['[A-Za-z0-9_\\- ]+'\\])+$" },
    factReference,
    historyParams: {
      type: 'object',
      additionalProperties: false,
      properties: { window: { type: 'integer', minimum: 1, maximum: maxHistoryWindow }, calls: { type: 'string', minLength: 1 } },
    },
    rule: {
      type: 'object',
      required: ['name', 'conditions', 'event'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.]*$' },
        priority: { type: 'integer', minimum: 1 },
        conditions: {
          if: { type: 'object', required: ['all'] },
          then: branch('all'),
          else: { if: { type: 'object', required: ['any'] }, then: branch('any'), else: branch('not') },
        },
        event: { $ref: '#/$defs/event' },
      },
    },
    condition: {
      if: { type: 'object', required: ['all'] },
      then: branch('all'),
      else: {
        if: { type: 'object', required: ['any'] },
        then: branch('any'),
        else: { if: { type: 'object', required: ['not'] }, then: branch('not'), else: { $ref: '#/$defs/leaf' } },
      },
    },
    leaf: {
      type: 'object',
      required: ['fact', 'operator', 'value'],
      additionalProperties: false,
      properties: {
        fact: { type: 'string', pattern: name },
        path: { $ref: '#/$defs/path' },
        params: { $ref: '#/$defs/historyParams' },
        operator: { enum: Object.keys(operators) },
        value: true,
      },
      allOf: [
        // Only `history` takes parameters (a window, one tool's count).
        { if: { type: 'object', required: ['params'] }, then: { properties: { fact: { const: 'history' } } } },
        ...Object.entries(operators).map(([operator, definition]) => ({
          if: { type: 'object', properties: { operator: { const: operator } }, required: ['operator'] },
          then: { properties: { value: valueSchema(definition) } },
        })),
      ],
    },
    event: {
      type: 'object',
      required: ['type', 'params'],
      additionalProperties: false,
      properties: {
        type: { enum: ['continue', 'escalate', 'stop'] },
        params: {
          type: 'object',
          required: ['reason'],
          additionalProperties: false,
          properties: {
            rule: { type: 'string' },
            order: { type: 'integer' },
            reason: { type: 'string' },
            reply: { type: 'string' },
            onNoInput: { enum: ['continue', 'stop', 'reply'] },
            timeoutMs: { type: 'integer', minimum: 1, maximum: maxDurationMs },
            channel: { type: 'string', pattern: name },
            prompt: { type: 'string' },
            reset: { type: 'array', uniqueItems: true, items: { enum: [...resettableCounters] } },
          },
        },
      },
    },
  },
} as const;
