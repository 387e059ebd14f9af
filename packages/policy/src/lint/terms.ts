// A rule's condition as lint reasons about it: `and` / `or` chains flattened, `not`, and atoms,
// each atom carrying its compiled test (fact, path, operator, value) and its place in the file.
// Atoms are compiled with the compiler's own `condition`, so a test means to lint exactly what it
// means to the evaluators; a kind of condition lint does not know stays an opaque atom, equal
// only to itself.
import type * as ast from '../ast.js';
import { isLeaf, type ConditionNode, type LeafCondition } from '../document.js';
import type { FactType } from '../facts.js';
import { condition as compileCondition } from '../compile/to-document.js';

export interface Atom {
  kind: 'atom';
  /** Equal keys, equal tests: the compiled test as JSON (or the syntax, when it has none). */
  key: string;
  /** The compiled test, when it is one leaf. */
  leaf?: LeafCondition;
  /** The fact and path the test reads (`tool$.args.amount`), when it is one leaf. */
  field?: string;
  /** The condition as written. */
  node: ast.Condition;
  span: ast.Span;
}

export type Term = { kind: 'and' | 'or'; parts: Term[]; key: string; span: ast.Span } | { kind: 'not'; operand: Term; key: string; span: ast.Span } | Atom;

export type TypeOf = (field: ast.FieldRef) => FactType | undefined;

/** The syntax of a condition without its places, for conditions the compiler does not know. */
function syntaxKey(node: unknown): string {
  return JSON.stringify(node, (name, value) => (name === 'span' || name === 'operatorSpan' ? undefined : value));
}

function fromCompiled(compiled: ConditionNode, node: ast.Condition): Term {
  const span = node.span;
  // A parameterised fact (`history.calls.refund`, `… over the last 10 steps`) is another value per parameter.
  if (isLeaf(compiled)) return { kind: 'atom', key: JSON.stringify(compiled), leaf: compiled, field: `${compiled.fact}${compiled.path ?? ''}${compiled.params ? JSON.stringify(compiled.params) : ''}`, node, span };
  if ('not' in compiled) {
    const operand = fromCompiled(compiled.not, node);
    return { kind: 'not', operand, key: `not ${operand.key}`, span };
  }
  return { kind: 'atom', key: JSON.stringify(compiled), node, span };
}

/** A condition as terms. Deep nesting is refused by the checker before lint runs. */
export function toTerm(node: ast.Condition, typeOf: TypeOf): Term {
  if (node.kind === 'and' || node.kind === 'or') {
    const parts: Term[] = [];
    const collect = (child: ast.Condition) => {
      if (child.kind === node.kind) {
        collect(child.left);
        collect(child.right);
      } else parts.push(toTerm(child, typeOf));
    };
    collect(node);
    return { kind: node.kind, parts, key: `${node.kind}(${parts.map((part) => part.key).join(',')})`, span: node.span };
  }
  if (node.kind === 'not') {
    const operand = toTerm(node.operand, typeOf);
    return { kind: 'not', operand, key: `not ${operand.key}`, span: node.span };
  }
  let compiled: ConditionNode | undefined;
  try {
    compiled = compileCondition(node, typeOf);
  } catch {
    compiled = undefined;
  }
  if (compiled === undefined || compiled === null || typeof compiled !== 'object') return { kind: 'atom', key: syntaxKey(node), node, span: node.span };
  return fromCompiled(compiled, node);
}

/** A test or its negation: what a conjunction is made of, as far as lint can reason. */
export interface Literal {
  atom: Atom;
  negated: boolean;
  span: ast.Span;
}

/** The term as a literal, when it is an atom or `not` an atom. */
export function literalOf(term: Term): Literal | undefined {
  if (term.kind === 'atom') return { atom: term, negated: false, span: term.span };
  if (term.kind === 'not' && term.operand.kind === 'atom') return { atom: term.operand, negated: true, span: term.span };
  if (term.kind === 'not' && term.operand.kind === 'not') {
    const inner = literalOf(term.operand.operand);
    return inner && { ...inner, span: term.span };
  }
  return undefined;
}

const conjuncts = new WeakMap<Term, readonly Literal[]>();

/** The literals a term asserts at its top: the conjuncts of an `and`, or the term itself. Computed once per term. */
export function conjunctLiterals(term: Term): readonly Literal[] {
  let literals = conjuncts.get(term);
  if (!literals) {
    const parts = term.kind === 'and' ? term.parts : [term];
    conjuncts.set(term, (literals = parts.map(literalOf).filter((literal): literal is Literal => literal !== undefined)));
  }
  return literals;
}

/** Every `and` and `or` chain in a term, outermost first. */
export function chainsOf(term: Term): Array<Extract<Term, { kind: 'and' | 'or' }>> {
  const chains: Array<Extract<Term, { kind: 'and' | 'or' }>> = [];
  const stack: Term[] = [term];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.kind === 'and' || node.kind === 'or') {
      chains.push(node);
      for (let i = node.parts.length - 1; i >= 0; i--) stack.push(node.parts[i]!);
    } else if (node.kind === 'not') stack.push(node.operand);
  }
  return chains;
}

/** Every atom of a term, in the order they are written. */
export function atomsOf(term: Term): Atom[] {
  if (term.kind === 'atom') return [term];
  if (term.kind === 'not') return atomsOf(term.operand);
  return term.parts.flatMap(atomsOf);
}
