// Generated automatically by nearley, version 2.20.1
// http://github.com/Hardmath123/nearley
// Bypasses TS6133. Allow declared but unused functions.
// @ts-ignore
function id(d: any[]): any { return d[0]; }
declare var identifier: any;
declare var number: any;
declare var string: any;
declare var keyword: any;
declare var duration: any;
declare var regex: any;

import { createLexer } from './lexer.js';
import * as b from './build.js';

const lexer = createLexer();

interface NearleyToken {
  value: any;
  [key: string]: any;
};

interface NearleyLexer {
  reset: (chunk: string, info: any) => void;
  next: () => NearleyToken | undefined;
  save: () => any;
  formatError: (token: never) => string;
  has: (tokenType: string) => boolean;
};

interface NearleyRule {
  name: string;
  symbols: NearleySymbol[];
  postprocess?: (d: any[], loc?: number, reject?: {}) => any;
};

type NearleySymbol = string | { literal: any } | { test: (token: any) => boolean };

interface Grammar {
  Lexer: NearleyLexer | undefined;
  ParserRules: NearleyRule[];
  ParserStart: string;
};

const grammar: Grammar = {
  Lexer: lexer,
  ParserRules: [
    {"name": "policy", "symbols": ["header", "statements"], "postprocess": b.policy},
    {"name": "statements", "symbols": [], "postprocess": b.noStatements},
    {"name": "statements", "symbols": ["statements", "statement"], "postprocess": b.appendStatement},
    {"name": "header$ebnf$1", "symbols": ["version"], "postprocess": id},
    {"name": "header$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "header", "symbols": [{"literal":"policy"}, (lexer.has("identifier") ? {type: "identifier"} : identifier), "header$ebnf$1"], "postprocess": b.header},
    {"name": "version$subexpression$1", "symbols": [(lexer.has("number") ? {type: "number"} : number)]},
    {"name": "version$subexpression$1", "symbols": [(lexer.has("string") ? {type: "string"} : string)]},
    {"name": "version", "symbols": [{"literal":"version"}, "version$subexpression$1"], "postprocess": b.version},
    {"name": "statement", "symbols": [{"literal":"mode"}, (lexer.has("identifier") ? {type: "identifier"} : identifier)], "postprocess": b.mode},
    {"name": "statement", "symbols": [{"literal":"max"}, (lexer.has("identifier") ? {type: "identifier"} : identifier), (lexer.has("number") ? {type: "number"} : number)], "postprocess": b.max},
    {"name": "statement$subexpression$1", "symbols": [(lexer.has("identifier") ? {type: "identifier"} : identifier)]},
    {"name": "statement$subexpression$1", "symbols": [{"literal":"any"}]},
    {"name": "statement", "symbols": [{"literal":"fact"}, (lexer.has("identifier") ? {type: "identifier"} : identifier), {"literal":":"}, "statement$subexpression$1"], "postprocess": b.factDeclaration},
    {"name": "statement", "symbols": [{"literal":"default"}, "action"], "postprocess": b.defaultAction},
    {"name": "statement$ebnf$1", "symbols": ["toolParameters"], "postprocess": id},
    {"name": "statement$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "statement", "symbols": [{"literal":"tool"}, "toolName", {"literal":"("}, "statement$ebnf$1", {"literal":")"}], "postprocess": b.toolDeclaration},
    {"name": "statement", "symbols": ["rule"], "postprocess": id},
    {"name": "toolName$subexpression$1", "symbols": [(lexer.has("identifier") ? {type: "identifier"} : identifier)]},
    {"name": "toolName$subexpression$1", "symbols": [(lexer.has("keyword") ? {type: "keyword"} : keyword)]},
    {"name": "toolName$subexpression$1", "symbols": [(lexer.has("string") ? {type: "string"} : string)]},
    {"name": "toolName", "symbols": ["toolName$subexpression$1"], "postprocess": b.toolName},
    {"name": "toolParameters", "symbols": [{"literal":"..."}], "postprocess": b.toolParameters},
    {"name": "toolParameters$ebnf$1", "symbols": []},
    {"name": "toolParameters$ebnf$1$subexpression$1", "symbols": [{"literal":","}, "toolParameter"]},
    {"name": "toolParameters$ebnf$1", "symbols": ["toolParameters$ebnf$1", "toolParameters$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "toolParameters$ebnf$2$subexpression$1", "symbols": [{"literal":","}, {"literal":"..."}]},
    {"name": "toolParameters$ebnf$2", "symbols": ["toolParameters$ebnf$2$subexpression$1"], "postprocess": id},
    {"name": "toolParameters$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "toolParameters", "symbols": ["toolParameter", "toolParameters$ebnf$1", "toolParameters$ebnf$2"], "postprocess": b.toolParameters},
    {"name": "toolParameter$subexpression$1", "symbols": [(lexer.has("identifier") ? {type: "identifier"} : identifier)]},
    {"name": "toolParameter$subexpression$1", "symbols": [(lexer.has("keyword") ? {type: "keyword"} : keyword)]},
    {"name": "toolParameter$ebnf$1", "symbols": [{"literal":"?"}], "postprocess": id},
    {"name": "toolParameter$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "toolParameter$subexpression$2", "symbols": [(lexer.has("identifier") ? {type: "identifier"} : identifier)]},
    {"name": "toolParameter$subexpression$2", "symbols": [{"literal":"any"}]},
    {"name": "toolParameter", "symbols": ["toolParameter$subexpression$1", "toolParameter$ebnf$1", {"literal":":"}, "toolParameter$subexpression$2"], "postprocess": b.toolParameter},
    {"name": "rule$ebnf$1", "symbols": ["priority"], "postprocess": id},
    {"name": "rule$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "rule$ebnf$2", "symbols": []},
    {"name": "rule$ebnf$2", "symbols": ["rule$ebnf$2", "reset"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "rule", "symbols": [{"literal":"rule"}, (lexer.has("identifier") ? {type: "identifier"} : identifier), "rule$ebnf$1", {"literal":":"}, {"literal":"when"}, "condition", {"literal":"then"}, "action", "rule$ebnf$2"], "postprocess": b.rule},
    {"name": "priority", "symbols": [{"literal":"priority"}, (lexer.has("number") ? {type: "number"} : number)], "postprocess": b.priority},
    {"name": "reset", "symbols": [{"literal":"and"}, {"literal":"reset"}, (lexer.has("identifier") ? {type: "identifier"} : identifier)], "postprocess": b.reset},
    {"name": "action", "symbols": [{"literal":"continue"}], "postprocess": b.continueAction},
    {"name": "action", "symbols": [{"literal":"continue"}, {"literal":"with"}, (lexer.has("string") ? {type: "string"} : string)], "postprocess": b.continueAction},
    {"name": "action$ebnf$1", "symbols": []},
    {"name": "action$ebnf$1", "symbols": ["action$ebnf$1", "escalateOption"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "action", "symbols": [{"literal":"escalate"}, "action$ebnf$1"], "postprocess": b.escalateAction},
    {"name": "action$ebnf$2", "symbols": []},
    {"name": "action$ebnf$2", "symbols": ["action$ebnf$2", "escalateOption"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "action", "symbols": [{"literal":"escalate"}, (lexer.has("string") ? {type: "string"} : string), "action$ebnf$2"], "postprocess": b.escalateAction},
    {"name": "action", "symbols": [{"literal":"stop"}], "postprocess": b.stopAction},
    {"name": "action", "symbols": [{"literal":"stop"}, (lexer.has("string") ? {type: "string"} : string)], "postprocess": b.stopAction},
    {"name": "escalateOption", "symbols": [{"literal":"via"}, (lexer.has("identifier") ? {type: "identifier"} : identifier)], "postprocess": b.via},
    {"name": "escalateOption", "symbols": [{"literal":"timeout"}, (lexer.has("duration") ? {type: "duration"} : duration)], "postprocess": b.timeout},
    {"name": "escalateOption$subexpression$1", "symbols": [{"literal":"continue"}]},
    {"name": "escalateOption$subexpression$1", "symbols": [{"literal":"stop"}]},
    {"name": "escalateOption$subexpression$1", "symbols": [{"literal":"reply"}]},
    {"name": "escalateOption", "symbols": [{"literal":"else"}, "escalateOption$subexpression$1"], "postprocess": b.orElse},
    {"name": "escalateOption", "symbols": [{"literal":"prompt"}, (lexer.has("string") ? {type: "string"} : string)], "postprocess": b.prompt},
    {"name": "condition", "symbols": ["condition", {"literal":"or"}, "conjunction"], "postprocess": b.or},
    {"name": "condition", "symbols": ["conjunction"], "postprocess": id},
    {"name": "conjunction", "symbols": ["conjunction", {"literal":"and"}, "negation"], "postprocess": b.and},
    {"name": "conjunction", "symbols": ["negation"], "postprocess": id},
    {"name": "negation", "symbols": [{"literal":"not"}, "negation"], "postprocess": b.not},
    {"name": "negation", "symbols": [{"literal":"("}, "condition", {"literal":")"}], "postprocess": b.group},
    {"name": "negation", "symbols": ["test"], "postprocess": id},
    {"name": "test$ebnf$1", "symbols": ["ignoreCase"], "postprocess": id},
    {"name": "test$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "test", "symbols": ["field", {"literal":"contains"}, "text", "test$ebnf$1"], "postprocess": b.text('contains')},
    {"name": "test$ebnf$2", "symbols": ["ignoreCase"], "postprocess": id},
    {"name": "test$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "test", "symbols": ["field", {"literal":"contains"}, {"literal":"any"}, "list", "test$ebnf$2"], "postprocess": b.text('containsAny')},
    {"name": "test$ebnf$3", "symbols": ["ignoreCase"], "postprocess": id},
    {"name": "test$ebnf$3", "symbols": [], "postprocess": () => null},
    {"name": "test", "symbols": ["field", {"literal":"contains"}, {"literal":"all"}, "list", "test$ebnf$3"], "postprocess": b.text('containsAll')},
    {"name": "test$ebnf$4", "symbols": ["ignoreCase"], "postprocess": id},
    {"name": "test$ebnf$4", "symbols": [], "postprocess": () => null},
    {"name": "test", "symbols": ["field", {"literal":"starts"}, {"literal":"with"}, "text", "test$ebnf$4"], "postprocess": b.text('startsWith')},
    {"name": "test$ebnf$5", "symbols": ["ignoreCase"], "postprocess": id},
    {"name": "test$ebnf$5", "symbols": [], "postprocess": () => null},
    {"name": "test", "symbols": ["field", {"literal":"ends"}, {"literal":"with"}, "text", "test$ebnf$5"], "postprocess": b.text('endsWith')},
    {"name": "test$subexpression$1", "symbols": [{"literal":"equals"}]},
    {"name": "test$subexpression$1", "symbols": [{"literal":"=="}]},
    {"name": "test$ebnf$6", "symbols": ["ignoreCase"], "postprocess": id},
    {"name": "test$ebnf$6", "symbols": [], "postprocess": () => null},
    {"name": "test", "symbols": ["field", "test$subexpression$1", "operand", "test$ebnf$6"], "postprocess": b.equals(false)},
    {"name": "test$ebnf$7", "symbols": ["ignoreCase"], "postprocess": id},
    {"name": "test$ebnf$7", "symbols": [], "postprocess": () => null},
    {"name": "test", "symbols": ["field", {"literal":"!="}, "operand", "test$ebnf$7"], "postprocess": b.equals(true)},
    {"name": "test", "symbols": ["field", {"literal":"matches"}, (lexer.has("regex") ? {type: "regex"} : regex)], "postprocess": b.matches},
    {"name": "test$subexpression$2", "symbols": [{"literal":">"}]},
    {"name": "test$subexpression$2", "symbols": [{"literal":">="}]},
    {"name": "test$subexpression$2", "symbols": [{"literal":"<"}]},
    {"name": "test$subexpression$2", "symbols": [{"literal":"<="}]},
    {"name": "test", "symbols": ["field", "test$subexpression$2", "operand"], "postprocess": b.compare},
    {"name": "test", "symbols": ["field", {"literal":"in"}, "list"], "postprocess": b.inList(false)},
    {"name": "test", "symbols": ["field", {"literal":"not"}, {"literal":"in"}, "list"], "postprocess": b.inList(true)},
    {"name": "test", "symbols": ["field", {"literal":"exists"}], "postprocess": b.exists},
    {"name": "test", "symbols": [{"literal":"every"}, (lexer.has("number") ? {type: "number"} : number), "field"], "postprocess": b.every},
    {"name": "test$subexpression$3", "symbols": [{"literal":">"}]},
    {"name": "test$subexpression$3", "symbols": [{"literal":">="}]},
    {"name": "test$subexpression$3", "symbols": [{"literal":"<"}]},
    {"name": "test$subexpression$3", "symbols": [{"literal":"<="}]},
    {"name": "test", "symbols": ["field", "test$subexpression$3", "operand", "window"], "postprocess": b.windowed(b.compare)},
    {"name": "test$subexpression$4", "symbols": [{"literal":"equals"}]},
    {"name": "test$subexpression$4", "symbols": [{"literal":"=="}]},
    {"name": "test", "symbols": ["field", "test$subexpression$4", "operand", "window"], "postprocess": b.windowed(b.equals(false))},
    {"name": "test", "symbols": ["field", {"literal":"!="}, "operand", "window"], "postprocess": b.windowed(b.equals(true))},
    {"name": "test", "symbols": ["field", {"literal":"contains"}, "text", "window"], "postprocess": b.windowed(b.text('contains'))},
    {"name": "test", "symbols": ["field", {"literal":"within"}, "text"], "postprocess": b.within(false)},
    {"name": "test", "symbols": ["field", {"literal":"not"}, {"literal":"within"}, "text"], "postprocess": b.within(true)},
    {"name": "test", "symbols": ["field"], "postprocess": b.truthy},
    {"name": "ignoreCase", "symbols": [{"literal":"ignoring"}, {"literal":"case"}], "postprocess": b.ignoreCase},
    {"name": "window$ebnf$1", "symbols": [{"literal":"the"}], "postprocess": id},
    {"name": "window$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "window$subexpression$1", "symbols": [{"literal":"steps"}]},
    {"name": "window$subexpression$1", "symbols": [{"literal":"step"}]},
    {"name": "window", "symbols": [{"literal":"over"}, "window$ebnf$1", {"literal":"last"}, (lexer.has("number") ? {type: "number"} : number), "window$subexpression$1"], "postprocess": b.window},
    {"name": "field$ebnf$1", "symbols": []},
    {"name": "field$ebnf$1", "symbols": ["field$ebnf$1", "segment"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "field", "symbols": [(lexer.has("identifier") ? {type: "identifier"} : identifier), "field$ebnf$1"], "postprocess": b.field},
    {"name": "segment$subexpression$1", "symbols": [(lexer.has("identifier") ? {type: "identifier"} : identifier)]},
    {"name": "segment$subexpression$1", "symbols": [(lexer.has("keyword") ? {type: "keyword"} : keyword)]},
    {"name": "segment", "symbols": [{"literal":"."}, "segment$subexpression$1"], "postprocess": b.key},
    {"name": "segment", "symbols": [{"literal":"["}, (lexer.has("number") ? {type: "number"} : number), {"literal":"]"}], "postprocess": b.index},
    {"name": "segment", "symbols": [{"literal":"["}, (lexer.has("string") ? {type: "string"} : string), {"literal":"]"}], "postprocess": b.quotedKey},
    {"name": "operand", "symbols": ["scalar"], "postprocess": id},
    {"name": "operand", "symbols": ["field"], "postprocess": id},
    {"name": "scalar", "symbols": ["text"], "postprocess": id},
    {"name": "scalar", "symbols": [(lexer.has("number") ? {type: "number"} : number)], "postprocess": b.number},
    {"name": "scalar", "symbols": [(lexer.has("duration") ? {type: "duration"} : duration)], "postprocess": b.duration},
    {"name": "scalar$subexpression$1", "symbols": [{"literal":"true"}]},
    {"name": "scalar$subexpression$1", "symbols": [{"literal":"false"}]},
    {"name": "scalar", "symbols": ["scalar$subexpression$1"], "postprocess": b.boolean},
    {"name": "text", "symbols": [(lexer.has("string") ? {type: "string"} : string)], "postprocess": b.string},
    {"name": "list", "symbols": [{"literal":"["}, {"literal":"]"}], "postprocess": b.list},
    {"name": "list$ebnf$1", "symbols": []},
    {"name": "list$ebnf$1$subexpression$1", "symbols": [{"literal":","}, "scalar"]},
    {"name": "list$ebnf$1", "symbols": ["list$ebnf$1", "list$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "list", "symbols": [{"literal":"["}, "scalar", "list$ebnf$1", {"literal":"]"}], "postprocess": b.list}
  ],
  ParserStart: "policy",
};

export default grammar;
