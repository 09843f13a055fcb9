// Preparing a local-process revision: its bundle copy, its Python environment, its command line.
import { existsSync } from 'node:fs';
import { dirname, join, basename, delimiter } from 'node:path';
import { entrypointArgv } from '../../core/deploy/entrypoint';
import { ensurePythonEnv } from './pythonEnv';
import type { RevisionSpec } from './supervisorProtocol';

/**
 * The folder that holds the `modelcloud` package (src/python of the extension): env
 * MODELCLOUD_PYTHON_PACKAGE_DIR (that folder or the package itself), else found above this module.
 */
export function pythonPackageRoot(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.MODELCLOUD_PYTHON_PACKAGE_DIR;
  if (given) return basename(given) === 'modelcloud' && existsSync(join(given, '__init__.py')) ? dirname(given) : given;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'src', 'python');
    if (existsSync(join(candidate, 'modelcloud', '__init__.py'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`cannot find the modelcloud Python package near ${__dirname}; set MODELCLOUD_PYTHON_PACKAGE_DIR to the folder holding modelcloud/`);
}

export interface LocalRevisionInput {
  revision: number;
  bundleDir: string;
  entrypoint: string;
  requirements?: string;
  python: string;
  venvMode: 'auto' | 'always';
  venvCacheDir?: string;
  workers?: number;
  modelVersion?: string;
  manifestEnv?: Record<string, string>;
  onProgress: (message: string) => void;
  signal?: AbortSignal;
}

export async function localRevisionSpec(input: LocalRevisionInput): Promise<RevisionSpec> {
  const requirementsFile = input.requirements ? join(input.bundleDir, input.requirements) : undefined;
  if (requirementsFile && !existsSync(requirementsFile)) {
    throw new Error(`requirements file ${input.requirements} named by the manifest does not exist in the service folder`);
  }
  const env = await ensurePythonEnv({
    python: input.python, requirementsFile, mode: input.venvMode, cacheDir: input.venvCacheDir,
    onProgress: input.onProgress, signal: input.signal,
  });
  input.onProgress(env.how === 'reused' ? `using ${env.python} (Python ${env.version}; requirements already installed)`
    : `using the ${env.how} venv ${dirname(dirname(env.python))}`);
  const pkg = pythonPackageRoot();
  const pythonPath = [pkg, process.env.PYTHONPATH].filter(Boolean).join(delimiter);
  const binDir = dirname(env.python);
  return {
    revision: input.revision,
    kind: 'local',
    modelVersion: input.modelVersion,
    workers: input.workers,
    argv: entrypointArgv(input.entrypoint, env.python),
    cwd: input.bundleDir,
    env: {
      ...input.manifestEnv,
      PYTHONPATH: pythonPath,
      // Entrypoints other than `python ...` (gunicorn, uvicorn) find the venv's tools first.
      PATH: [binDir, process.env.PATH].filter(Boolean).join(delimiter),
    },
  };
}
