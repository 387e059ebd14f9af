// Hostile paths against `within` / `not within`: climbing out with `..`, absolute detours back
// through the directory, look-alike prefixes, encoded dots, NUL bytes, `~` tricks, values that are
// not text. A path the policy confines is never let through outside the directory, and one that
// cannot be resolved for certain never decides continue, whichever way the rule is written.
// HANDRAIL_FUZZ_RUNS multiplies the number of generated paths.
import { posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, decide, decideSync } from '../../packages/policy/src/index.js';
import { fuzzRuns } from './fuzz-runs.js';

const workingDirectory = '/srv/agent';
// Two ways of confining writes: allow inside (else ask), stop outside (else allow).
const allowInside = compilePolicy(`policy allow_inside
rule inside: when tool.name == "write_file" and tool.args.path within "./workspace" then continue
default escalate "outside the workspace" else stop`);
const stopOutside = compilePolicy(`policy stop_outside
rule outside: when tool.name == "write_file" and tool.args.path not within "./workspace" then stop "outside the workspace"`);
const stopOutsideNegated = compilePolicy(`policy stop_outside_negated
rule outside: when tool.name == "write_file" and not (tool.args.path within "./workspace") then stop "outside the workspace"`);
const policies = [allowInside, stopOutside, stopOutsideNegated];

const write = (path: unknown) => ({ tool: { name: 'write_file', args: { path } } });
const reallyInside = (path: string) => {
  const resolved = posix.resolve(workingDirectory, path);
  return resolved === '/srv/agent/workspace' || resolved.startsWith('/srv/agent/workspace/');
};

const escapes = [
  '../etc/passwd',
  'workspace/../../etc/passwd',
  'workspace/../..',
  './workspace/./../../etc',
  '/workspace/../etc',
  '/srv/agent/workspace/../../../etc/shadow',
  '/srv/agent/workspace/../workspace-evil/x',
  './workspace-evil/x',
  'workspace-evil',
  'workspace..',
  '/srv/agent/workspace2/x',
  '//srv//agent//workspaceX',
  '/etc/passwd',
  '/',
  '.',
  '..',
  'workspace/%2e%2e/%2e%2e/etc',
  '%2e%2e/%2e%2e/etc',
  '..%2fetc',
  'workspace\\..\\..\\etc',
];
const unresolvable: unknown[] = ['', 'workspace/\0/../../etc', '\0', '~/workspace', '~root/workspace', 42, true, ['workspace/a'], { path: 'workspace/a' }];

describe('path escapes', () => {
  it('never decides continue for a path outside ./workspace', async () => {
    for (const path of escapes) {
      for (const policy of policies) {
        for (const engine of ['fast', 'reference'] as const) {
          const decision = await decide(policy, write(path), { workingDirectory, engine });
          const inside = reallyInside(path);
          if (!inside) expect(decision.action, `${policy.name} let ${JSON.stringify(path)} through`).not.toBe('continue');
          if (policy === allowInside) expect(decision.rule, path).toBe(inside ? 'inside' : null);
          else expect(decision.rule, path).toBe(inside ? null : 'outside');
        }
      }
    }
  });

  it('fails closed on what it cannot resolve, within and not within alike', async () => {
    for (const path of unresolvable) {
      for (const policy of policies) {
        for (const options of [{ workingDirectory }, {}]) {
          const decision = await decide(policy, write(path), options);
          expect(decision.action, `${policy.name} on ${JSON.stringify(path)}`).toBe('escalate');
          expect(decision.error?.code).toBe('MISTYPED_FACT');
          expect(decideSync(policy, write(path), { ...options, humanAvailable: false }).action).toBe('stop');
        }
      }
    }
  });

  it('without a working directory, an absolute path or a climb above it fails closed instead of guessing', async () => {
    for (const path of ['/srv/agent/workspace/a', '../agent/workspace/a', 'workspace/../../x']) {
      for (const policy of policies) expect((await decide(policy, write(path))).error?.code, path).toBe('MISTYPED_FACT');
    }
  });

  it('agrees with node:path on generated hostile paths: continue only when really inside', () => {
    const segment = fc.constantFrom('workspace', 'workspace-evil', 'agent', 'srv', 'etc', '.', '..', '', '...', '%2e%2e', '.%2e', 'work\\space', ' ', 'workspace ');
    const path = fc.tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 10 })).map(([absolute, segments]) => `${absolute ? '/' : ''}${segments.join('/')}`).filter((p) => p !== '');
    fc.assert(
      fc.property(path, (p) => {
        for (const policy of policies) {
          const decision = decideSync(policy, write(p), { workingDirectory });
          const continued = decision.action === 'continue';
          expect(continued && !reallyInside(p), `${policy.name}: ${p}`).toBe(false);
          if (policy !== allowInside) expect(decision.action === 'stop', `${policy.name}: ${p}`).toBe(!reallyInside(p));
        }
      }),
      { numRuns: fuzzRuns(3000) },
    );
  });
});
