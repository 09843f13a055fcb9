// The Python interpreter a local revision runs with: the given interpreter when it already has
// every requirement (fast: no install), else a venv per (requirements, Python version) cached under
// ~/.cache/modelcloud/venvs (MODELCLOUD_VENV_CACHE), created with `python -m venv` + `pip install -r`.
// pip reads the user's own pip config and PIP_* environment (index URLs) as usual.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface PythonEnvOptions {
  /** The base interpreter (setting modelcloud.python / MODELCLOUD_PYTHON / python3). */
  python: string;
  requirementsFile?: string;
  /** 'auto': reuse `python` when it satisfies the requirements; 'always': always a cached venv. */
  mode?: 'auto' | 'always';
  cacheDir?: string;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

export interface PythonEnv {
  python: string;
  /** 'reused' the given interpreter, a 'cached' venv, or a 'created' one. */
  how: 'reused' | 'cached' | 'created';
  version: string;
}

export class PythonEnvError extends Error {
  constructor(message: string, readonly output: string) { super(message); this.name = 'PythonEnvError'; }
}

export function venvCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MODELCLOUD_VENV_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'modelcloud', 'venvs');
}

export async function ensurePythonEnv(opts: PythonEnvOptions): Promise<PythonEnv> {
  const progress = opts.onProgress ?? (() => undefined);
  const version = await pythonVersion(opts.python);
  const requirements = opts.requirementsFile ? readFileSync(opts.requirementsFile, 'utf8') : '';
  const hasRequirements = requirements.split('\n').some((l) => l.trim() && !l.trim().startsWith('#'));
  if ((opts.mode ?? 'auto') === 'auto') {
    const missing = hasRequirements ? await unsatisfied(opts.python, opts.requirementsFile!) : [];
    if (missing.length === 0) return { python: opts.python, how: 'reused', version };
    progress(`${opts.python} lacks ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}: using a venv`);
  }
  const key = createHash('sha256').update(`${version}\n${requirements}`).digest('hex').slice(0, 16);
  const root = opts.cacheDir ?? venvCacheDir();
  const dir = join(root, `py${version}-${key}`);
  const python = join(dir, 'bin', 'python');
  if (existsSync(join(dir, '.modelcloud-complete'))) return { python, how: 'cached', version };
  mkdirSync(root, { recursive: true });
  // Built aside and renamed into place, so a half-made venv (crash, cancel) is never used.
  const tmp = join(root, `.tmp-${key}-${process.pid}-${randomBytes(3).toString('hex')}`);
  try {
    progress(`creating a Python ${version} venv in ${dir}`);
    await exec(opts.python, ['-m', 'venv', tmp], opts.signal, 'python -m venv');
    if (hasRequirements) {
      progress(`pip install -r ${opts.requirementsFile} (pip's own config and PIP_* settings apply)`);
      await exec(join(tmp, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', opts.requirementsFile!],
        opts.signal, 'pip install', progress);
    }
    writeFileSync(join(tmp, '.modelcloud-complete'), `${new Date().toISOString()}\n`);
    try {
      renameSync(tmp, dir);
    } catch (error) {
      // Another deploy finished the same venv first: use theirs.
      if (!existsSync(join(dir, '.modelcloud-complete'))) throw error;
      rmSync(tmp, { recursive: true, force: true });
      return { python, how: 'cached', version };
    }
    // venv scripts embed their folder: the interpreter symlink works after the move, pip's shebangs are not needed.
    return { python, how: 'created', version };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

export async function pythonVersion(python: string): Promise<string> {
  const out = await exec(python, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], undefined,
    `${python} (set the Python interpreter with MODELCLOUD_PYTHON or the modelcloud.python setting)`);
  return out.trim();
}

/**
 * Requirement lines the interpreter does not satisfy (name or version), checked with pip's own
 * vendored `packaging` when there is one, else by distribution name only.
 */
export async function unsatisfied(python: string, requirementsFile: string): Promise<string[]> {
  const script = `
import sys, json, importlib.metadata as md
try:
    from pip._vendor.packaging.requirements import Requirement
except Exception:
    Requirement = None
missing = []
for raw in open(sys.argv[1], encoding="utf-8"):
    line = raw.split("#", 1)[0].strip()
    if not line:
        continue
    if line.startswith("-"):
        missing.append(line); continue
    try:
        if Requirement:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate():
                continue
            have = md.version(req.name)
            if req.specifier and not req.specifier.contains(have, prereleases=True):
                missing.append(line)
        else:
            import re
            md.version(re.split(r"[<>=!~ \\[;]", line, 1)[0])
    except Exception:
        missing.append(line)
print(json.dumps(missing))
`;
  const out = await exec(python, ['-c', script, requirementsFile], undefined, 'checking requirements');
  return JSON.parse(out.trim().split('\n').pop() ?? '[]') as string[];
}

function exec(cmd: string, args: string[], signal: AbortSignal | undefined, what: string, onLine?: (l: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
      if (onLine) for (const l of c.split('\n')) if (l.trim()) onLine(l.trim());
    });
    child.on('error', (error) => reject(new PythonEnvError(`${what} failed: ${error.message}`, err)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else {
        const tail = `${out}\n${err}`.trim().split('\n').slice(-20).join('\n');
        reject(new PythonEnvError(`${what} failed (exit ${code}):\n${tail}`, tail));
      }
    });
  });
}
