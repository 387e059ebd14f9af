// Path conditions (`tool.args.path within "./workspace"`): lexical resolution only. `.` and `..`
// segments are resolved, repeated and trailing slashes dropped, `~` expanded to the home the
// decision was given, relative paths resolved against the working directory it was given. The
// file system is never read: symbolic links are not followed. What cannot be resolved for
// certain (not text, empty, a NUL byte, `~` with no home, `~user`, a relative path climbing
// above a working directory nobody gave, an absolute path against a relative one with no working
// directory) is a problem, and the decision fails closed. See docs/policy-language.md, "Paths".

/**
 * What relative paths and `~` resolve against, given to a decision (`decide` options
 * `workingDirectory` and `home`). Both are absolute when given.
 *
 * @example
 * const where: PathContext = { workingDirectory: '/srv/agent', home: '/home/agent' };
 */
export interface PathContext {
  workingDirectory?: string;
  home?: string;
}

/** A resolved path: its segments, from `/` when absolute, from the unknown working directory when not. */
export interface ResolvedPath {
  absolute: boolean;
  segments: string[];
}

/** Resolved, or the reason it cannot be: the caller fails closed with it. */
export type Resolution = { path: ResolvedPath } | { problem: string };

const shown = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);

/**
 * Resolves `value` lexically, as POSIX reads a path, against `context`.
 *
 * @example
 * resolvePath('./workspace/../etc//passwd', { workingDirectory: '/srv' }); // { path: { absolute: true, segments: ['srv', 'etc', 'passwd'] } }
 * resolvePath('~/notes', {}); // { problem: '… no home directory was given …' }
 */
export function resolvePath(value: unknown, context: PathContext): Resolution {
  if (typeof value !== 'string') return { problem: `a path must be text, not ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}` };
  if (value === '') return { problem: 'the path is empty' };
  if (value.includes('\0')) return { problem: 'the path holds a NUL byte' };
  let text = value;
  if (text === '~' || text.startsWith('~/')) {
    const { home } = context;
    if (home === undefined) return { problem: `${shown(value)} starts with ~, but no home directory was given to the decision` };
    if (!home.startsWith('/')) return { problem: `the home directory ${shown(home)} is not an absolute path` };
    text = `${home}${text.slice(1)}`;
  } else if (text.startsWith('~')) return { problem: `${shown(value)} names another user's home (~user), which is not resolved` };
  let absolute = text.startsWith('/');
  let segments: string[] = [];
  if (!absolute && context.workingDirectory !== undefined) {
    const base = resolvePath(context.workingDirectory, {});
    if ('problem' in base || !base.path.absolute) return { problem: `the working directory ${shown(context.workingDirectory)} is not an absolute path` };
    absolute = true;
    segments = [...base.path.segments];
  }
  for (const segment of text.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment !== '..') segments.push(segment);
    else if (segments.length) segments.pop();
    // `/..` is `/`; above a working directory nobody named, the place is unknown.
    else if (!absolute) return { problem: `${shown(value)} climbs above the working directory, and none was given to the decision` };
  }
  return { path: { absolute, segments } };
}

/**
 * Whether `value` lies within `root` (or is `root`), both resolved lexically against `context`:
 * true or false, or the problem that makes the answer unknown.
 *
 * @example
 * pathWithin('workspace/a.txt', './workspace', {}); // true
 * pathWithin('./workspace-evil/a', './workspace', {}); // false
 * pathWithin('/etc/passwd', './workspace', {}); // { problem: '… no working directory …' }
 */
export function pathWithin(value: unknown, root: string, context: PathContext): boolean | { problem: string } {
  const inside = resolvePath(value, context);
  if ('problem' in inside) return inside;
  const outer = resolvePath(root, context);
  if ('problem' in outer) return { problem: `the policy's directory ${shown(root)}: ${outer.problem}` };
  if (inside.path.absolute !== outer.path.absolute)
    return { problem: `${shown(value as string)} and ${shown(root)} cannot be compared: one is absolute, the other relative, and no working directory was given to the decision` };
  const a = inside.path.segments;
  const b = outer.path.segments;
  return a.length >= b.length && b.every((segment, i) => a[i] === segment);
}

/**
 * The value of the built-in `directory` fact a path condition compares with: the policy's
 * directory and what paths resolve against. Kept as one value so both evaluators see the same.
 *
 * @example
 * directoryValue({ workingDirectory: '/srv' }, { path: './workspace' }); // { path: './workspace', workingDirectory: '/srv' }
 */
export function directoryValue(context: PathContext | undefined, params: { path?: unknown } | undefined): { path: string } & PathContext {
  const path = typeof params?.path === 'string' ? params.path : '';
  return { path, ...(context?.workingDirectory !== undefined ? { workingDirectory: context.workingDirectory } : {}), ...(context?.home !== undefined ? { home: context.home } : {}) };
}

/** A path test's outcome for the operator: the fact's value against a `directory` fact's value. */
export function pathTest(value: unknown, directory: unknown): boolean | { problem: string } {
  if (directory === null || typeof directory !== 'object' || typeof (directory as { path?: unknown }).path !== 'string') return { problem: 'the directory to compare with is missing' };
  const { path, workingDirectory, home } = directory as { path: string } & PathContext;
  const context: PathContext = {};
  if (typeof workingDirectory === 'string') context.workingDirectory = workingDirectory;
  if (typeof home === 'string') context.home = home;
  return pathWithin(value, path, context);
}
