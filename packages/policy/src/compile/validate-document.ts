// Checks a compiled policy given as JSON: the schema first (ajv, JSON Schema 2020-12), then what
// a schema cannot say (known facts, safe regexes, unique rule names, the hash).
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { loadOnUse } from '../load-on-use.js';
import type { Span } from '../ast.js';
import { isLeaf, type ConditionNode, type PolicyDocument } from '../document.js';
import type { Diagnostic } from '../errors.js';
import { builtInFacts, ownDefinition, type FactDefinition } from '../facts.js';
import { findBacktrackingHazard } from '../regex-safety.js';
import { regexProblem } from '../policy-regex.js';
import { pathKeys } from '../engine/path.js';
import { regexLookup, type RegexLookup } from '../operators.js';
import { maxNesting } from '../check.js';
import { policyDocumentSchema } from './schema.js';

const ajv = loadOnUse<typeof import('ajv/dist/2020.js')>('ajv/dist/2020.js');

let validate: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  validate ??= new (ajv().Ajv2020)({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(policyDocumentSchema);
  return validate;
}

export type Locate = (pointer: string) => Span;

function message(error: ErrorObject): { text: string; expected?: string[] } {
  if (error.keyword === 'enum') return { text: 'must be one of the allowed values', expected: (error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)) };
  if (error.keyword === 'additionalProperties') return { text: `unknown property ${JSON.stringify(error.params.additionalProperty)}` };
  if (error.keyword === 'const') return { text: `must be ${JSON.stringify(error.params.allowedValue)}` };
  return { text: error.message ?? 'is invalid' };
}

/** The deepest nesting of objects and arrays in `value`, measured without recursion. */
export function jsonDepth(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let deepest = 0;
  // Parallel stacks of objects and their depths: no pair allocated per node.
  const nodes: object[] = [value];
  const depths: number[] = [0];
  while (nodes.length) {
    const node = nodes.pop() as Record<string, unknown>;
    const depth = depths.pop()!;
    if (depth > deepest) deepest = depth;
    const keys = Object.keys(node);
    for (let i = 0; i < keys.length; i++) {
      const child = node[keys[i]!];
      if (child === null || typeof child !== 'object') continue;
      nodes.push(child);
      depths.push(depth + 1);
    }
  }
  return deepest;
}

/**
 * A document nested too deeply to walk safely (a rule's conditions nest two JSON levels a
 * condition level, and the checker allows `maxNesting` condition levels).
 */
export function depthProblem(document: unknown): Omit<Diagnostic, 'span'> | undefined {
  const depth = jsonDepth(document);
  if (depth <= 2 * maxNesting + 8) return undefined;
  return { code: 'TOO_DEEP', message: `the document nests ${depth} levels deep; conditions may nest at most ${maxNesting} levels` };
}

/** `regexes` compiles the document's regexes; pass the lookup that will decide, so each compiles once. */
export function validateDocument(document: unknown, locate: Locate, regexes: RegexLookup = regexLookup()): Diagnostic[] {
  const tooDeep = depthProblem(document);
  if (tooDeep) return [{ ...tooDeep, span: locate('') }];
  const check = schemaValidator();
  if (!check(document)) {
    // One diagnostic per place: the branches of an anyOf become "must be number or object".
    const byPlace = new Map<string, ErrorObject[]>();
    for (const error of check.errors ?? []) {
      if (error.keyword === 'if') continue;
      byPlace.set(error.instancePath, [...(byPlace.get(error.instancePath) ?? []), error]);
    }
    const diagnostics: Diagnostic[] = [];
    for (const [place, errors] of byPlace) {
      const branches = errors.some((e) => e.keyword === 'anyOf') ? errors.filter((e) => e.keyword !== 'anyOf') : [];
      const where = place || '/';
      if (branches.length) {
        const text = `must be ${branches.map((e) => (e.message ?? '').replace(/^must be /, '')).join(' or ')}`;
        diagnostics.push({ code: 'INVALID_COMPILED_POLICY', message: `${where}: ${text}`, span: locate(place) });
        continue;
      }
      for (const error of errors) {
        const { text, expected } = message(error);
        diagnostics.push({ code: 'INVALID_COMPILED_POLICY', message: `${where}: ${text}`, span: locate(place), ...(expected ? { expected } : {}) });
      }
    }
    return diagnostics;
  }
  return checkDocument(document as PolicyDocument, locate, regexes);
}

/**
 * What a schema cannot say about a document that meets it: known facts and fields, usable
 * regexes, unique names. Documents compiled from policy text are built from a checked AST in
 * the schema's shape (tests hold every compiled policy to the schema), so they are checked only
 * with this, and loading a policy file never loads or compiles the schema.
 */
export function checkDocument(document: PolicyDocument, locate: Locate, regexes: RegexLookup): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const custom = document.facts ?? {};
  for (const name of Object.keys(custom)) {
    if (ownDefinition(builtInFacts, name)) diagnostics.push({ code: 'DUPLICATE_FACT', message: `"${name}" is a built-in fact`, span: locate(`/facts/${name}`) });
  }
  const names = new Set<string>();
  // The JSON pointer of the node being visited, as segments: joined only to report a problem.
  const at: Array<string | number> = [];
  const pointer = (...more: string[]) => `/${[...at, ...more].join('/')}`;
  const visit = (node: ConditionNode): void => {
    if (!isLeaf(node)) {
      const [key, children] = 'all' in node ? ['all', node.all] : 'any' in node ? ['any', node.any] : ['not', undefined];
      at.push(key);
      if (children)
        for (let i = 0; i < children.length; i++) {
          at.push(i);
          visit(children[i]!);
          at.pop();
        }
      else visit((node as { not: ConditionNode }).not);
      at.pop();
      return;
    }
    // A path test's directory is the policy's own (the schema checked its shape).
    const references = node.operator === 'pathWithin' ? [node] : [node, node.value];
    for (const reference of references) {
      if (reference === null || typeof reference !== 'object' || !('fact' in (reference as object))) continue;
      const { fact, path } = reference as { fact: string; path?: string };
      const declared = ownDefinition(custom, fact);
      const definition: FactDefinition | undefined = ownDefinition(builtInFacts, fact) ?? (declared ? { type: declared.type, description: '' } : undefined);
      if (!definition) {
        diagnostics.push({ code: 'UNKNOWN_FACT', message: `unknown fact "${fact}"`, span: locate(pointer('fact')), expected: [...Object.keys(builtInFacts), ...Object.keys(custom)] });
        continue;
      }
      let current: FactDefinition | undefined = definition;
      for (const key of path ? pathKeys(path) : []) {
        if (!current.fields) break;
        current = ownDefinition(current.fields, key);
        if (!current) {
          diagnostics.push({ code: 'UNKNOWN_FACT', message: `${fact} has no field "${key}" (path ${path})`, span: locate(pointer('path')) });
          break;
        }
      }
    }
    if (node.operator === 'textMatches') {
      const { pattern, flags } = node.value as { pattern: string; flags: string };
      const problem = regexProblem(pattern, flags, regexes);
      const hazard = problem ? undefined : findBacktrackingHazard(pattern);
      if (problem) diagnostics.push({ code: 'INVALID_REGEX', message: problem, span: locate(pointer('value', 'pattern')) });
      else if (hazard) diagnostics.push({ code: 'UNSAFE_REGEX', message: hazard, span: locate(pointer('value', 'pattern')) });
    }
  };
  document.rules.forEach((rule, index) => {
    if (names.has(rule.name)) diagnostics.push({ code: 'DUPLICATE_RULE', message: `rule "${rule.name}" is defined twice`, span: locate(`/rules/${index}/name`) });
    names.add(rule.name);
    at.push('rules', index, 'conditions');
    visit(rule.conditions);
    at.length = 0;
  });
  return diagnostics;
}
