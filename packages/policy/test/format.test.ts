// The canonical layout, asserted on the text a user gets back; and on every policy the project
// ships (examples, presets, the language reference's blocks): formatting is idempotent, keeps the
// compiled hash and keeps every comment.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy, formatPolicy, parsePolicy, PolicyError } from '../src/index.js';

const repository = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, repository), 'utf8');
const policiesIn = (folder: string) =>
  readdirSync(new URL(folder, repository))
    .filter((name) => name.endsWith('.policy'))
    .map((name) => `${folder}${name}`);

/** The ```policy blocks of a Markdown file, with the line of each opening fence. */
function policyBlocks(path: string): Array<{ name: string; source: string }> {
  const blocks: Array<{ name: string; source: string }> = [];
  let open: { line: number; lines: string[] } | undefined;
  read(path)
    .split('\n')
    .forEach((text, index) => {
      if (!open) {
        if (/^ {0,3}```policy\s*$/.test(text)) open = { line: index + 1, lines: [] };
      } else if (/^ {0,3}```\s*$/.test(text)) {
        blocks.push({ name: `${path}:${open.line}`, source: open.lines.join('\n') });
        open = undefined;
      } else open.lines.push(text);
    });
  return blocks;
}

const comments = (source: string) =>
  parsePolicy(source)
    .comments.map((c) => c.text.trimEnd())
    .sort();

const shipped = [
  ...policiesIn('examples/policies/').map((path) => ({ name: path, source: read(path) })),
  ...policiesIn('packages/policy/presets/').map((path) => ({ name: path, source: read(path) })),
  ...policyBlocks('docs/policy-language.md'),
];

describe('formatPolicy on every shipped policy', () => {
  it('finds the examples, the presets and the reference blocks', () => {
    expect(shipped.filter((p) => p.name.startsWith('examples/')).length).toBeGreaterThanOrEqual(5);
    expect(shipped.filter((p) => p.name.startsWith('packages/policy/presets/'))).toHaveLength(3);
    expect(shipped.filter((p) => p.name.startsWith('docs/')).length).toBeGreaterThanOrEqual(20);
  });

  it.each(shipped.map((p) => [p.name, p.source] as const))('%s: idempotent, same hash, same comments', (name, source) => {
    const once = formatPolicy(source, { file: name });
    expect(formatPolicy(once)).toBe(once);
    expect(compilePolicy(once).hash).toBe(compilePolicy(source).hash);
    expect(comments(once)).toEqual(comments(source));
  });

  it('leaves the presets as they are written', () => {
    for (const path of policiesIn('packages/policy/presets/')) expect(formatPolicy(read(path))).toBe(read(path));
  });
});

describe('the canonical layout', () => {
  it('puts the header first, then settings, facts and the default, then the rules, adding no blank line', () => {
    const source = `policy   refunds version 2   # the refund desk
rule big priority 3: when tool.name == "refund" and tool.args.amount > 500 then escalate "refund over 500" via finance timeout 10m else stop
fact customer_tier : string
rule gold: when customer_tier == "gold" then continue with "welcome back"  and reset auto_replies
max auto_replies 10
default stop "no rule covers this"
mode terminate
`;
    expect(formatPolicy(source)).toBe(`policy refunds version 2  # the refund desk
mode terminate
max auto_replies 10
fact customer_tier: string
default stop "no rule covers this"
rule big priority 3:
  when tool.name == "refund" and tool.args.amount > 500
  then escalate "refund over 500" via finance timeout 10m else stop
rule gold: when customer_tier == "gold" then continue with "welcome back" and reset auto_replies
`);
  });

  it('keeps a rule on one line when it fits the width, and breaks it when it does not', () => {
    const rule = 'rule r: when content contains "a" then escalate "ask" and reset auto_replies';
    const oneLine = `policy p\n${rule}\n`;
    expect(formatPolicy(`policy p\nrule   r :\n  when content contains "a"\n  then escalate "ask"\n  and reset auto_replies`, { width: rule.length })).toBe(oneLine);
    expect(formatPolicy(oneLine, { width: rule.length })).toBe(oneLine);
    expect(formatPolicy(oneLine, { width: rule.length - 1 })).toBe('policy p\nrule r:\n  when content contains "a"\n  then escalate "ask" and reset auto_replies\n');
    // A comment at the end of the rule keeps it on one line; the width counts code, not comments.
    expect(formatPolicy(`policy p\n${rule} # why`, { width: rule.length })).toBe(`policy p\n${rule}  # why\n`);
  });

  it('keeps the blank lines the author left between statements, one at most, and removes those inside one', () => {
    const source = `policy p


mode terminate

rule a: when error exists

  then stop
rule b: when tool exists then escalate "tool"
# about c

rule c: when step > 3 then stop


fact tier: string
`;
    // A statement that moves up takes the blank line above it along.
    expect(formatPolicy(source)).toBe(`policy p

mode terminate

fact tier: string

rule a: when error exists then stop
rule b: when tool exists then escalate "tool"
# about c

rule c: when step > 3 then stop
`);
  });

  it('breaks a long condition before each and / or, indenting nested chains under it', () => {
    const source = `policy p
rule done: when content matches /TERMINATE$/ and not (content contains "NEEDS_REVIEW" or content contains "ERROR:" or error exists or tool.name in ["refund", "transfer_funds"]) then stop "finished"`;
    expect(formatPolicy(source)).toBe(`policy p
rule done:
  when content matches /TERMINATE$/
    and not (content contains "NEEDS_REVIEW"
      or content contains "ERROR:"
      or error exists
      or tool.name in ["refund", "transfer_funds"])
  then stop "finished"
`);
  });

  it('keeps parentheses where they are needed, adds them around an and inside an or, and drops the rest', () => {
    const rule = (when: string) => formatPolicy(`policy p\nrule r: when ${when} then stop`).split('\n')[1];
    expect(rule('content contains "a" or content contains "b" and step > 3')).toBe('rule r: when content contains "a" or (content contains "b" and step > 3) then stop');
    expect(rule('(content contains "a" or content contains "b") and step > 3')).toBe('rule r: when (content contains "a" or content contains "b") and step > 3 then stop');
    expect(rule('(step > 1 and step > 2) and (step > 3 and step > 4)')).toBe('rule r: when step > 1 and step > 2 and step > 3 and step > 4 then stop');
    expect(rule('((error exists))')).toBe('rule r: when error exists then stop');
    expect(rule('not (error exists)')).toBe('rule r: when not error exists then stop');
    expect(rule('not (error exists or tool exists)')).toBe('rule r: when not (error exists or tool exists) then stop');
    expect(rule('not not is_termination')).toBe('rule r: when not not is_termination then stop');
  });

  it('puts escalation options on lines of their own, in the order written, when they do not fit', () => {
    const source = `policy p
rule pay: when tool.name == "transfer_funds" then escalate "payment" else stop timeout 10m prompt "{sender} wants to transfer money. Approve, or type 'exit' to stop: " via finance and reset auto_replies`;
    expect(formatPolicy(source)).toBe(`policy p
rule pay:
  when tool.name == "transfer_funds"
  then escalate "payment"
    else stop
    timeout 10m
    prompt "{sender} wants to transfer money. Approve, or type 'exit' to stop: "
    via finance
  and reset auto_replies
`);
  });

  it('keeps literals and words as written: equals or ==, escapes, quoted versions, number spellings, quoted keys', () => {
    const source = 'policy p version "3"\nrule r: when sender equals "\\u00e9" and step == 1.50 and tool.args["amount"] > 1e2x then stop';
    expect(() => formatPolicy(source)).toThrow(PolicyError);
    const valid = 'policy p version "3"\nrule r: when sender equals "\\u00e9" and step == 1.50 and tool.args["amount"] >= 007 and elapsed < 90s then stop';
    expect(formatPolicy(valid)).toBe('policy p version "3"\nrule r:\n  when sender equals "\\u00e9" and step == 1.50 and tool.args["amount"] >= 007 and elapsed < 90s\n  then stop\n');
  });

  it('aims for the width it is given', () => {
    const source = 'policy p\nrule r: when content contains "a" and content contains "b" then escalate "ask" via desk timeout 5m';
    expect(formatPolicy(source, { width: 40 })).toBe(`policy p
rule r:
  when content contains "a"
    and content contains "b"
  then escalate "ask"
    via desk
    timeout 5m
`);
  });

  it('writes line feeds, whatever the file had', () => {
    const once = formatPolicy('policy p\r\n\r\nrule r: when error exists\r\n  then stop # why\r\n');
    expect(once).toBe('policy p\n\nrule r: when error exists then stop  # why\n');
  });
});

describe('comments', () => {
  it('keeps leading comments above their statement and trailing ones at the end of its line', () => {
    const source = `# Licence text.

# The refund desk's policy.
policy refunds # trailing the header



# Big refunds need a person.
# Two lines of comment.

rule big: when tool.args.amount > 500 then stop # too big
# Settings move up with their comments.
max auto_replies 3 # the limit
# end of file
`;
    expect(formatPolicy(source)).toBe(`# Licence text.

# The refund desk's policy.
policy refunds  # trailing the header
# Settings move up with their comments.
max auto_replies 3  # the limit

# Big refunds need a person.
# Two lines of comment.

rule big: when tool.args.amount > 500 then stop  # too big
# end of file
`);
  });

  it('keeps comments inside a rule next to the part they describe', () => {
    const source = `policy p
rule r: # about r
  # before the condition
  when content contains "a" # why a
    # before b
    and (error exists # either this
      or tool exists) # or that
  # before the action
  then escalate "ask" # the reason
  and reset auto_replies # and the reset
`;
    expect(formatPolicy(source)).toBe(`policy p
rule r:  # about r
  # before the condition
  when content contains "a"  # why a
    # before b
    and (error exists  # either this
      or tool exists)  # or that
  # before the action
  then escalate "ask"  # the reason
  and reset auto_replies  # and the reset
`);
  });

  it('moves a comment from inside a test or an action to the end of its line', () => {
    const source = `policy p
fact tier: # the customer's
  string
rule r: when content contains # the marker
  "NEEDS_REVIEW" then escalate # ask
  "review" # someone
`;
    expect(formatPolicy(source)).toBe(`policy p
fact tier: string  # the customer's
rule r:
  when content contains "NEEDS_REVIEW"  # the marker
  # ask
  then escalate "review"  # someone
`);
  });
});

describe('errors', () => {
  it('refuses text that does not parse, with the usual code frame', () => {
    let error: unknown;
    try {
      formatPolicy('policy broken\nrule r: when content contains then stop\n', { file: 'broken.policy' });
    } catch (caught) {
      error = caught;
    }
    expect(PolicyError.isInstance(error)).toBe(true);
    expect((error as PolicyError).format()).toContain('broken.policy:2:31: error UNEXPECTED_TOKEN: unexpected "then"\n  1 | policy broken\n> 2 | rule r: when content contains then stop\n');
  });

  it('still formats a policy that parses but does not compile', () => {
    const source = 'policy typo\nrule r: when contnet contains "x" then stop';
    expect(() => compilePolicy(source)).toThrow(PolicyError);
    expect(formatPolicy(source)).toBe('policy typo\nrule r: when contnet contains "x" then stop\n');
  });
});

describe('docs/testing-policies.md, "Formatting and replay"', () => {
  const section = read('docs/testing-policies.md').split('\n## Formatting and replay\n')[1] ?? '';
  const blocks = [...section.matchAll(/```policy( unformatted)?\n([\s\S]*?)```/g)].map((match) => match[2]!);

  it('formats its example as it shows', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(formatPolicy(blocks[0]!)).toBe(blocks[1]);
  });

  it('shows every other policy already formatted', () => {
    for (const block of blocks.slice(1)) expect(formatPolicy(block)).toBe(block);
  });
});
