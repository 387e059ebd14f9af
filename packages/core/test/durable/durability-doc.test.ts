// docs/durability.md stays true: its policy compiles, its tables name every problem the audit
// verification reports and every way a durable run stops, and its record examples are records.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditProblemCodes, compilePolicy } from '@handrail/policy';

const doc = readFileSync(new URL('../../../../docs/durability.md', import.meta.url), 'utf8');

function blocks(language: string): string[] {
  return [...doc.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]!);
}

describe('docs/durability.md', () => {
  it('its policy compiles', () => {
    const policies = blocks('policy');
    expect(policies.length).toBeGreaterThan(0);
    for (const source of policies) expect(() => compilePolicy(source)).not.toThrow();
  });

  it('names every problem `handrail audit verify` reports', () => {
    for (const code of auditProblemCodes) expect(doc).toContain(`\`${code}\``);
  });

  it('names the error codes a host meets', () => {
    for (const code of ['STEP_INTERRUPTED', 'REPLAY_DIVERGED', 'RUN_NOT_FOUND', 'RUN_FINISHED', 'LOCKED', 'FILE_DAMAGED', 'WRITE_FAILED']) expect(doc).toContain(code);
  });

  it('its journal and audit lines are one JSON object a line, with the members the code writes', () => {
    const lines = blocks('json').flatMap((block) => block.trim().split('\n'));
    // The examples elide hashes and traces with "…"; everything else is as written.
    const shapes = lines.map((line) => Object.keys(JSON.parse(line.replaceAll('[…]', '[]')) as object));
    expect(shapes).toEqual([
      ['seq', 'at', 'type', 'key', 'result'],
      ['seq', 'time', 'type', 'id', 'runId', 'policy', 'rule', 'reason', 'action', 'channel', 'agent', 'sender', 'prev', 'hash', 'mac'],
      ['seq', 'time', 'type', 'id', 'runId', 'policy', 'rule', 'reason', 'agent', 'sender', 'approvalId', 'channel', 'by', 'answer', 'prev', 'hash', 'mac'],
    ]);
  });
});
