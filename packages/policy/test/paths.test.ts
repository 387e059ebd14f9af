// Path conditions: lexical resolution, as node:path's POSIX resolve does it, never the file
// system; anything that cannot be resolved for certain fails the decision closed, whichever way
// the condition is written.
import { posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, decide, formatPolicy, pathWithin, resolvePath } from '../src/index.js';
import { fuzzRuns } from '../../../test/adversarial/fuzz-runs.js';

/** Within by node:path: the reference the lexical resolution must agree with. */
function referenceWithin(path: string, root: string, cwd: string): boolean {
  const inside = posix.resolve(cwd, path);
  const outer = posix.resolve(cwd, root);
  return inside === outer || inside.startsWith(outer === '/' ? '/' : `${outer}/`);
}

const segment = fc.constantFrom('a', 'b', 'workspace', 'workspace-evil', '.', '..', '', '...', '%2e%2e', '.hidden', 'wörk space', '\\..');
const pathText = fc.tuple(fc.boolean(), fc.array(segment, { maxLength: 8 }), fc.boolean()).map(([absolute, segments, trailing]) => `${absolute ? '/' : ''}${segments.join('/')}${trailing ? '/' : ''}`);
const cwd = fc.constantFrom('/', '/srv', '/srv/app', '/srv/app/workspace', '/home/agent/../agent');

describe('resolvePath', () => {
  it.each([
    ['workspace/a.txt', { workingDirectory: '/srv' }, '/srv/workspace/a.txt'],
    ['./workspace/../etc//passwd', { workingDirectory: '/srv' }, '/srv/etc/passwd'],
    ['/workspace/../etc', {}, '/etc'],
    ['/../..//x/', {}, '/x'],
    ['~/notes/', { home: '/home/agent' }, '/home/agent/notes'],
    ['~', { home: '/home/agent' }, '/home/agent'],
    ['%2e%2e/etc', { workingDirectory: '/srv' }, '/srv/%2e%2e/etc'],
    ['a\\..\\..\\etc', { workingDirectory: '/srv' }, '/srv/a\\..\\..\\etc'],
  ])('%j resolves to %j', (path, context, expected) => {
    const resolved = resolvePath(path, context);
    expect('path' in resolved && `/${resolved.path.segments.join('/')}`).toBe(expected);
  });

  it.each([
    [42, {}, /must be text/],
    [null, {}, /must be text/],
    ['', {}, /empty/],
    ['a\0b', {}, /NUL/],
    ['~/x', {}, /no home directory/],
    ['~/x', { home: 'relative' }, /not an absolute path/],
    ['~root/x', { home: '/home/agent' }, /another user's home/],
    ['../x', {}, /climbs above the working directory/],
    ['x', { workingDirectory: 'relative' }, /not an absolute path/],
  ])('%j cannot be resolved for certain', (path, context, problem) => {
    const resolved = resolvePath(path, context);
    expect('problem' in resolved && resolved.problem).toMatch(problem);
  });

  it('agrees with node:path on every generated path and root, with a working directory', () => {
    fc.assert(
      fc.property(pathText.filter((p) => p !== ''), pathText.filter((p) => p !== ''), cwd, (path, root, dir) => {
        expect(pathWithin(path, root, { workingDirectory: dir })).toBe(referenceWithin(path, root, dir));
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('without a working directory, agrees with node:path or fails closed: never a different answer', () => {
    fc.assert(
      fc.property(pathText.filter((p) => p !== ''), pathText.filter((p) => p !== ''), (path, root) => {
        const outcome = pathWithin(path, root, {});
        // Whatever directory the tool really runs in, the answer must be the same.
        for (const dir of ['/', '/srv/app', '/a/b/c/d/e/f/g/h/i']) if (typeof outcome === 'boolean') expect(outcome).toBe(referenceWithin(path, root, dir));
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});

describe('within in a policy', () => {
  const policy = compilePolicy(`policy files
rule outside: when tool.name == "write_file" and tool.args.path not within "./workspace" then stop "writes stay in ./workspace"
rule inside:  when tool.name == "read_file" and tool.args.path within "./workspace" then continue
default escalate "not sure" else stop`);
  const write = (path: unknown) => ({ tool: { name: 'write_file', args: { path } } });
  const read = (path: unknown) => ({ tool: { name: 'read_file', args: { path } } });

  it('decides paths inside and outside, lexically', async () => {
    expect((await decide(policy, write('workspace/notes.md'))).rule).toBe(null);
    expect((await decide(policy, write('workspace/../../etc/passwd'), { workingDirectory: '/srv/app' })).action).toBe('stop');
    expect((await decide(policy, write('workspace/../x'))).action).toBe('stop');
    expect((await decide(policy, write('./workspace-evil/x'))).action).toBe('stop');
    expect((await decide(policy, write('/srv/app/workspace/x'), { workingDirectory: '/srv/app' })).rule).toBe(null);
    expect((await decide(policy, read('workspace/a'))).action).toBe('continue');
    expect((await decide(policy, read('/etc/passwd'), { workingDirectory: '/srv/app' })).action).toBe('escalate');
  });

  it('fails closed on a path it cannot resolve, for within and not within alike', async () => {
    for (const bad of [42, '', 'a\0b', '~/x', '../x', '/etc/passwd', ['workspace'], { path: 'workspace' }]) {
      for (const turn of [write(bad), read(bad)]) {
        for (const engine of ['fast', 'reference'] as const) {
          const decision = await decide(policy, turn, { engine });
          expect(decision.action, JSON.stringify(bad)).toBe('escalate');
          expect(decision.error?.code).toBe('MISTYPED_FACT');
        }
      }
    }
    const decision = await decide(policy, write('~/x'));
    expect(decision.reason).toMatch(/tool\.args\.path is "~\/x", which cannot be resolved as a path: "~\/x" starts with ~, but no home directory was given/);
  });

  it('prints back as written, and checks its operands', () => {
    const text = 'policy p\nrule r: when tool.args.path not within "./w" and tool.args.to within "/tmp" then stop\n';
    expect(formatPolicy(text)).toBe(text);
    expect(() => compilePolicy('policy p\nrule r: when step within "./w" then stop')).toThrow(/within needs string, but step is number/);
    expect(() => compilePolicy('policy p\nrule r: when content within "" then stop')).toThrow(/non-empty path/);
  });
});
