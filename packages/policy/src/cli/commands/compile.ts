// `handrail compile FILE`: the compiled document, or just its json-rules-engine rules.
import { UsageError, exitCodes, parseCommandLine, type Command } from '../command.js';
import { loadPolicyFromCommandLine } from '../load-policy-file.js';

/** `handrail compile`: the compiled policy JSON on stdout, for programs and other engines. */
export const compile: Command = {
  name: 'compile',
  summary: 'print the compiled policy as JSON (or only its json-rules-engine rules)',
  usage: `handrail compile FILE [--rules-only]

  Prints the compiled document (format, name, facts, default, rules, hash) as JSON.
  --rules-only   print only the rules array, loadable by json-rules-engine's new Engine(rules)
                 once addOperators(engine) from @handrail/policy has added the operators`,

  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, { 'rules-only': { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? 'compile takes one FILE' : 'compile needs a FILE');
    const policy = await loadPolicyFromCommandLine(positionals[0]!);
    const output = values['rules-only'] ? policy.document.rules : policy.document;
    io.stdout(`${JSON.stringify(output, null, 2)}\n`);
    return exitCodes.ok;
  },
};
