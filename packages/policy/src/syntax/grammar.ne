# The Handrail policy language. Actions stay thin: they call the typed builders in build.ts.
# Regenerate with `pnpm --filter @handrail/policy grammar`; the output is committed.
@preprocessor typescript

@{%
import { createLexer } from './lexer.js';
import * as b from './build.js';

const lexer = createLexer();
%}

@lexer lexer

# Statements are collected in a chain and joined once the parse is done (see parse.ts): nearley
# completes `policy` after every statement, so anything it did per completion would be quadratic.
policy      -> header statements                                    {% b.policy %}
statements  -> null                                                 {% b.noStatements %}
             | statements statement                                 {% b.appendStatement %}

header      -> "policy" %identifier version:?                       {% b.header %}
version     -> "version" (%number | %string)                        {% b.version %}

statement   -> "mode" %identifier                                   {% b.mode %}
             | "max" %identifier %number                            {% b.max %}
             | "fact" %identifier ":" (%identifier | "any")         {% b.factDeclaration %}
             | "default" action                                     {% b.defaultAction %}
             | "tool" toolName "(" toolParameters:? ")"             {% b.toolDeclaration %}
             | rule                                                 {% id %}

# `tool` is no keyword (it is also the fact `tool`): the literal matches the identifier's text.
toolName    -> (%identifier | %keyword | %string)                   {% b.toolName %}
toolParameters -> "..."                                             {% b.toolParameters %}
             | toolParameter ("," toolParameter):* ("," "..."):?    {% b.toolParameters %}
toolParameter -> (%identifier | %keyword) "?":? ":" (%identifier | "any")  {% b.toolParameter %}

rule        -> "rule" %identifier priority:? ":" "when" condition "then" action reset:*   {% b.rule %}
priority    -> "priority" %number                                   {% b.priority %}
reset       -> "and" "reset" %identifier                            {% b.reset %}

action      -> "continue"                                           {% b.continueAction %}
             | "continue" "with" %string                            {% b.continueAction %}
             | "escalate" escalateOption:*                          {% b.escalateAction %}
             | "escalate" %string escalateOption:*                  {% b.escalateAction %}
             | "stop"                                               {% b.stopAction %}
             | "stop" %string                                       {% b.stopAction %}

escalateOption -> "via" %identifier                                 {% b.via %}
             | "timeout" %duration                                  {% b.timeout %}
             | "else" ("continue" | "stop" | "reply")               {% b.orElse %}
             | "prompt" %string                                     {% b.prompt %}

condition   -> condition "or" conjunction                           {% b.or %}
             | conjunction                                          {% id %}
conjunction -> conjunction "and" negation                           {% b.and %}
             | negation                                             {% id %}
negation    -> "not" negation                                       {% b.not %}
             | "(" condition ")"                                    {% b.group %}
             | test                                                 {% id %}

test        -> field "contains" text ignoreCase:?                   {% b.text('contains') %}
             | field "contains" "any" list ignoreCase:?             {% b.text('containsAny') %}
             | field "contains" "all" list ignoreCase:?             {% b.text('containsAll') %}
             | field "starts" "with" text ignoreCase:?              {% b.text('startsWith') %}
             | field "ends" "with" text ignoreCase:?                {% b.text('endsWith') %}
             | field ("equals" | "==") operand ignoreCase:?         {% b.equals(false) %}
             | field "!=" operand ignoreCase:?                      {% b.equals(true) %}
             | field "matches" %regex                               {% b.matches %}
             | field (">" | ">=" | "<" | "<=") operand              {% b.compare %}
             | field "in" list                                      {% b.inList(false) %}
             | field "not" "in" list                                {% b.inList(true) %}
             | field "exists"                                       {% b.exists %}
             | "every" %number field                                {% b.every %}
             | field (">" | ">=" | "<" | "<=") operand window       {% b.windowed(b.compare) %}
             | field ("equals" | "==") operand window               {% b.windowed(b.equals(false)) %}
             | field "!=" operand window                            {% b.windowed(b.equals(true)) %}
             | field "contains" text window                         {% b.windowed(b.text('contains')) %}
             | field "within" text                                  {% b.within(false) %}
             | field "not" "within" text                            {% b.within(true) %}
             | field                                                {% b.truthy %}

ignoreCase  -> "ignoring" "case"                                    {% b.ignoreCase %}
# A window over the run's history: `history.calls.refund > 3 over the last 10 steps`.
window      -> "over" "the":? "last" %number ("steps" | "step")     {% b.window %}

field       -> %identifier segment:*                                {% b.field %}
segment     -> "." (%identifier | %keyword)                         {% b.key %}
             | "[" %number "]"                                      {% b.index %}
             | "[" %string "]"                                      {% b.quotedKey %}

operand     -> scalar                                               {% id %}
             | field                                                {% id %}
scalar      -> text                                                 {% id %}
             | %number                                              {% b.number %}
             | %duration                                            {% b.duration %}
             | ("true" | "false")                                   {% b.boolean %}
text        -> %string                                              {% b.string %}
list        -> "[" "]"                                              {% b.list %}
             | "[" scalar ("," scalar):* "]"                        {% b.list %}
