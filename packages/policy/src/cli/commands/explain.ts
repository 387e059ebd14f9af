// `handrail explain FILE --message TEXT …`: decide one turn described on the command line and
// show why, rule by rule.
import { decide, historyOfTurns, type PolicyDocument, type Turn } from '../../index.js';
import { CliError, UsageError, exitCodes, parseCommandLine, type Command } from '../command.js';
import { formatExplanation } from '../../format/explanation.js';
import { loadPolicyFromCommandLine } from '../load-policy-file.js';
import { toolSignature } from '../../tool-calls.js';

const roles = ['assistant', 'user', 'tool', 'system'] as const;
const sources = ['assistant', 'tool', 'human', 'system'] as const;
const engines = ['fast', 'reference'] as const;

const options = {
  message: { type: 'string' },
  role: { type: 'string' },
  sender: { type: 'string' },
  source: { type: 'string' },
  tool: { type: 'string' },
  args: { type: 'string' },
  step: { type: 'string' },
  'auto-replies': { type: 'string' },
  'max-auto-replies': { type: 'string' },
  termination: { type: 'boolean' },
  fact: { type: 'string', multiple: true },
  before: { type: 'string', multiple: true },
  'working-directory': { type: 'string' },
  home: { type: 'string' },
  engine: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** A wrong option value: one line naming it is clearer than the whole usage again. */
function badValue(message: string): never {
  throw new CliError(message, exitCodes.usage);
}

function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) badValue(`--${option} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  return value as T;
}

function count(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) badValue(`--${option} must be a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

function json(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // Shells eat the quotes of a bare string, the commonest way to get here.
    const hint = /^[\w-]+$/.test(text) ? ` (a string needs JSON quotes: '"${text}"')` : '';
    badValue(`${what} is not valid JSON: ${(error as Error).message}${hint}`);
  }
}

/** `name=JSON` pairs into custom fact values. */
function customFacts(pairs: readonly string[]): Record<string, unknown> {
  // No prototype, so a fact named like an Object method (`constructor`) is just a name.
  const facts: Record<string, unknown> = Object.create(null);
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) badValue(`--fact takes name=JSON, not ${JSON.stringify(pair)}`);
    facts[pair.slice(0, at)] = json(`--fact ${pair.slice(0, at)}`, pair.slice(at + 1));
  }
  return facts;
}

/** The declaration the tool call was checked against, or that there was none to check it against. */
function declarationNote(tools: PolicyDocument['tools'], tool: string | undefined): string {
  if (tool === undefined || tools === undefined) return '';
  if (!Object.hasOwn(tools, tool)) return `\ntool ${JSON.stringify(tool)} is not declared: its arguments are not checked\n`;
  return `\narguments checked against: ${toolSignature(tool, tools[tool]!)}\n`;
}

/** `handrail explain`: one turn decided, with every rule's conditions and the values they saw. */
export const explain: Command = {
  name: 'explain',
  summary: 'decide one turn and show, rule by rule, which conditions held',
  usage: `handrail explain FILE --message TEXT [options]

  Decides the turn described by the options and prints the decision, then every rule in the
  order rules win (stop, escalate, continue; then priority; then file order) with each condition,
  the value it saw, and ✓ when it held or ✗ when it did not.

  --message TEXT          the message's content
  --role R                assistant, user, tool or system
  --sender NAME           who sent the message
  --source S              assistant, tool, human or system (by default, from the role)
  --tool NAME             a tool call to decide on
  --args JSON             the tool call's arguments
  --step N                the step number in the loop
  --auto-replies N        consecutive auto-replies so far
  --max-auto-replies N    the limit of consecutive auto-replies (by default, the policy's)
  --termination           the host's termination test matched
  --no-termination        it did not (by default, it matches when the message is "TERMINATE")
  --fact NAME=JSON        the value of a custom fact the policy declares (repeatable)
  --before TOOL           a tool an earlier turn of the run called, for history rules (repeatable,
                          in order; without it the turn is the first of its run)
  --working-directory DIR what relative paths in path conditions resolve against
  --home DIR              what ~ stands for in path conditions
  --engine fast|reference the evaluator (reference is json-rules-engine itself)
  --json                  print the whole decision as JSON`,

  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, options);
    if (positionals.length !== 1) throw new UsageError(positionals.length ? 'explain takes one FILE' : 'explain needs a FILE');
    if (values.message === undefined && values.tool === undefined) throw new UsageError('explain needs --message TEXT (or --tool NAME)');
    if (values.args !== undefined && values.tool === undefined) throw new UsageError('--args needs --tool NAME');
    // Every option is checked before the file is read, so a typo is reported as such.
    const role = oneOf('role', values.role, roles);
    const source = oneOf('source', values.source, sources);
    const engine = oneOf('engine', values.engine, engines) ?? 'fast';
    const toolArgs = values.args !== undefined ? json('--args', values.args) : undefined;
    const facts = customFacts(values.fact ?? []);
    const turn: Turn = {
      ...(values.message !== undefined ? { content: values.message } : {}),
      ...(role ? { role } : {}),
      ...(values.sender !== undefined ? { sender: values.sender } : {}),
      ...(source ? { source } : {}),
      ...(values.tool !== undefined ? { tool: { name: values.tool, ...(toolArgs !== undefined ? { args: toolArgs } : {}) } } : {}),
      ...(values.step !== undefined ? { step: count('step', values.step) } : {}),
      ...(values['auto-replies'] !== undefined ? { autoReplies: count('auto-replies', values['auto-replies']) } : {}),
      ...(values['max-auto-replies'] !== undefined ? { maxAutoReplies: count('max-auto-replies', values['max-auto-replies']) } : {}),
      ...(values.termination !== undefined ? { isTermination: values.termination } : {}),
      history: historyOfTurns((values.before ?? []).map((name) => ({ tool: { name } }))),
    };
    const paths = {
      ...(values['working-directory'] !== undefined ? { workingDirectory: values['working-directory'] } : {}),
      ...(values.home !== undefined ? { home: values.home } : {}),
    };

    const policy = await loadPolicyFromCommandLine(positionals[0]!);
    const declared = Object.keys(policy.document.facts);
    for (const name of Object.keys(facts)) {
      if (!declared.includes(name))
        io.stderr(`handrail: warning: policy ${policy.name} declares no fact "${name}"${declared.length ? ` (it declares ${declared.join(', ')})` : ''}\n`);
    }
    const decision = await decide(policy, turn, { explain: 'all', engine, facts, ...paths });
    if (decision.error?.code === 'MISSING_FACT') {
      const missing = declared.filter((name) => !(name in facts));
      io.stderr(`handrail: give the value of ${missing.map((name) => `"${name}"`).join(', ')} with --fact NAME=JSON\n`);
    }
    io.stdout(values.json ? `${JSON.stringify(decision, null, 2)}\n` : `${formatExplanation(decision)}\n${declarationNote(policy.document.tools, values.tool)}`);
    return exitCodes.ok;
  },
};
