/** Where a node came from: 1-based line and column, 0-based offset, length in characters. */
export interface Span {
  line: number;
  col: number;
  offset: number;
  length: number;
}

export interface Node {
  span: Span;
}

export interface Identifier extends Node {
  name: string;
}

export interface StringLiteral extends Node {
  kind: 'string';
  value: string;
}
export interface NumberLiteral extends Node {
  kind: 'number';
  value: number;
}
export interface BooleanLiteral extends Node {
  kind: 'boolean';
  value: boolean;
}
/** `10m`, `30s`, `250ms`, `2h`, `1d`; value in milliseconds. */
export interface DurationLiteral extends Node {
  kind: 'duration';
  value: number;
  text: string;
}
export interface RegexLiteral extends Node {
  kind: 'regex';
  pattern: string;
  flags: string;
}
export interface ListLiteral extends Node {
  kind: 'list';
  items: Array<StringLiteral | NumberLiteral | BooleanLiteral>;
}

/** A fact and an optional path into it: `tool.args.amount`, `tool.args.items[0]`. */
export interface FieldRef extends Node {
  kind: 'field';
  fact: Identifier;
  path: Array<{ key: string | number; span: Span }>;
}

/** `over the last 10 steps` after a test on `history`: only the last `steps` turns count. */
export interface HistoryWindow extends Node {
  steps: NumberLiteral;
}

export type Scalar = StringLiteral | NumberLiteral | BooleanLiteral | DurationLiteral;
export type Operand = Scalar | FieldRef;

export type TextOperator = 'contains' | 'containsAny' | 'containsAll' | 'startsWith' | 'endsWith';
export type CompareOperator = '>' | '>=' | '<' | '<=';

export type Condition =
  | { kind: 'and'; left: Condition; right: Condition; span: Span }
  | { kind: 'or'; left: Condition; right: Condition; span: Span }
  | { kind: 'not'; operand: Condition; span: Span }
  | { kind: 'text'; operator: TextOperator; field: FieldRef; value: StringLiteral | ListLiteral; ignoreCase: boolean; span: Span; operatorSpan: Span; window?: HistoryWindow }
  | { kind: 'equals'; negated: boolean; field: FieldRef; value: Operand; ignoreCase: boolean; span: Span; operatorSpan: Span; window?: HistoryWindow }
  | { kind: 'matches'; field: FieldRef; value: RegexLiteral; span: Span; operatorSpan: Span }
  | { kind: 'compare'; operator: CompareOperator; field: FieldRef; value: Operand; span: Span; operatorSpan: Span; window?: HistoryWindow }
  /** `tool.args.path within "./workspace"`: lexical path containment (see paths.ts). */
  | { kind: 'within'; negated: boolean; field: FieldRef; value: StringLiteral; span: Span; operatorSpan: Span }
  | { kind: 'in'; negated: boolean; field: FieldRef; value: ListLiteral; span: Span; operatorSpan: Span }
  | { kind: 'exists'; field: FieldRef; span: Span; operatorSpan: Span }
  | { kind: 'every'; count: NumberLiteral; field: FieldRef; span: Span; operatorSpan: Span }
  | { kind: 'truthy'; field: FieldRef; span: Span };

export type OnNoInput = 'continue' | 'stop' | 'reply';

export type EscalateOption =
  | { kind: 'via'; channel: Identifier; span: Span }
  | { kind: 'timeout'; duration: DurationLiteral; span: Span }
  | { kind: 'else'; outcome: OnNoInput; span: Span }
  | { kind: 'prompt'; text: StringLiteral; span: Span };

export type Action =
  | { kind: 'continue'; reply?: StringLiteral; span: Span }
  | { kind: 'escalate'; reason?: StringLiteral; options: EscalateOption[]; span: Span }
  | { kind: 'stop'; reason?: StringLiteral; span: Span };

export interface Rule extends Node {
  kind: 'rule';
  name: Identifier;
  priority?: NumberLiteral;
  when: Condition;
  then: Action;
  resets: Identifier[];
}

/** One argument of a declared tool: `amount: number`, or `note?: string` when it may be left out. */
export interface ToolParameter extends Node {
  name: Identifier;
  type: Identifier;
  optional: boolean;
}

/**
 * `tool refund(order: string, amount: number)`: the arguments a call of the tool must have.
 * `openEnded` (a trailing `...`) lets calls carry arguments beyond the declared ones.
 */
export interface ToolDeclaration extends Node {
  kind: 'tool';
  name: Identifier;
  params: ToolParameter[];
  openEnded: boolean;
}

export type Statement =
  | { kind: 'mode'; preset: Identifier; span: Span }
  | { kind: 'max'; counter: Identifier; value: NumberLiteral; span: Span }
  | { kind: 'fact'; name: Identifier; type: Identifier; span: Span }
  | { kind: 'default'; action: Action; span: Span }
  | ToolDeclaration
  | Rule;

export interface Policy extends Node {
  kind: 'policy';
  name: Identifier;
  version?: StringLiteral | NumberLiteral;
  statements: Statement[];
  /** Comments with their spans, kept for tools that print policies back. */
  comments: Array<{ text: string; span: Span }>;
}
