// A service folder on disk: cloud_model.py, optional modelcloud.yaml, requirements and model files.
// Reads and validates it; everything after (context, Dockerfile, build) works from the result.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import {
  DEFAULT_ENTRYPOINT, DEFAULT_PYTHON, MANIFEST_FILE, parseManifest, sanitizeServiceName,
  type ManifestProblem, type ServiceManifest,
} from '../../core/services/manifest';

export const ENTRY_FILE = 'cloud_model.py';
/** Model files found at the top level when the manifest lists none. */
export const MODEL_EXTENSIONS = ['.pkl', '.pickle', '.joblib', '.pt', '.pth', '.onnx', '.h5', '.keras', '.safetensors'];
/** Never part of an image: tool state, environments, caches, experiment logs. */
export const EXCLUDED_NAMES = new Set(['.modelcloud', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', 'node_modules',
  'mlruns', '.ipynb_checkpoints', '.pytest_cache', '.mypy_cache', '.DS_Store', '.idea', '.vscode']);

export interface ServiceFolder {
  dir: string;
  manifest: ServiceManifest;
  /** Absolute path of modelcloud.yaml when there is one. */
  manifestFile?: string;
  /** Model files relative to dir, '/'-separated, sorted. */
  modelFiles: string[];
  /** Requirements file relative to dir, when there is one. */
  requirementsFile?: string;
  /** Manifest warnings (unknown keys and the like); errors throw instead. */
  warnings: ManifestProblem[];
}

export class ServiceFolderError extends Error {
  constructor(message: string, readonly problems: ManifestProblem[] = []) {
    super(message);
    this.name = 'ServiceFolderError';
  }
}

export async function loadServiceFolder(dirInput: string): Promise<ServiceFolder> {
  const dir = resolve(dirInput);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ServiceFolderError(`service folder not found: ${dir}; pass the folder that holds ${ENTRY_FILE}`);
  }
  if (!existsSync(join(dir, ENTRY_FILE))) {
    throw new ServiceFolderError(`${join(dir, ENTRY_FILE)} is missing: a service folder needs ${ENTRY_FILE} ` +
      '(with @modelcloud.setup and @modelcloud.command functions) at its top level');
  }
  const manifestPath = join(dir, MANIFEST_FILE);
  let manifest: ServiceManifest = {
    name: sanitizeServiceName(basename(dir)), python: DEFAULT_PYTHON, entrypoint: DEFAULT_ENTRYPOINT, build_steps: [], models: [],
  };
  let warnings: ManifestProblem[] = [];
  let manifestFile: string | undefined;
  if (existsSync(manifestPath)) {
    manifestFile = manifestPath;
    const parsed = parseManifest(readFileSync(manifestPath, 'utf8'), manifestPath, { name: basename(dir) });
    const errors = parsed.problems.filter((p) => p.severity === 'error');
    if (!parsed.manifest) {
      throw new ServiceFolderError(`${manifestPath} is invalid (${errors.length} problem${errors.length === 1 ? '' : 's'}); fix and try again:\n` +
        errors.map((p) => `  ${p.message}`).join('\n'), parsed.problems);
    }
    manifest = parsed.manifest;
    warnings = parsed.problems;
  }

  let requirementsFile: string | undefined;
  if (manifest.requirements) {
    if (!isFile(join(dir, manifest.requirements))) {
      throw new ServiceFolderError(`${manifestPath}: requirements '${manifest.requirements}' does not exist in ${dir}; ` +
        'create it or remove the requirements key');
    }
    requirementsFile = toPosix(manifest.requirements);
  } else if (isFile(join(dir, 'requirements.txt'))) {
    requirementsFile = 'requirements.txt';
  }
  if (manifest.features && !existsSync(join(dir, manifest.features))) {
    throw new ServiceFolderError(`${manifestPath}: features '${manifest.features}' does not exist in ${dir}; create it or remove the features key`);
  }

  const modelFiles = manifest.models.length ? listedModelFiles(dir, manifest.models, manifestPath) : detectedModelFiles(dir);
  return { dir, manifest, manifestFile, modelFiles, requirementsFile, warnings };
}

function listedModelFiles(dir: string, entries: string[], manifestPath: string): string[] {
  const out = new Set<string>();
  for (const entry of entries) {
    const path = join(dir, entry);
    if (!existsSync(path)) {
      throw new ServiceFolderError(`${manifestPath}: model path '${entry}' does not exist in ${dir}; ` +
        'train the model first (it must be in the folder before packaging) or fix the models list');
    }
    for (const file of statSync(path).isDirectory() ? listFiles(path) : [path]) out.add(toPosix(relative(dir, file)));
  }
  return [...out].sort();
}

/** models/ (everything in it) and model-looking files at the top level. */
function detectedModelFiles(dir: string): string[] {
  const out: string[] = [];
  const models = join(dir, 'models');
  if (existsSync(models) && statSync(models).isDirectory()) out.push(...listFiles(models).map((f) => toPosix(relative(dir, f))));
  for (const name of readdirSync(dir)) {
    if (MODEL_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext)) && isFile(join(dir, name))) out.push(name);
  }
  return out.sort();
}

/** Files under dir (absolute paths), skipping EXCLUDED_NAMES and *.pyc, in a stable order. */
export function listFiles(dir: string, skip: (abs: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (EXCLUDED_NAMES.has(name) || name.endsWith('.pyc')) continue;
    const path = join(dir, name);
    if (skip(path)) continue;
    const st = statSync(path);
    if (st.isDirectory()) out.push(...listFiles(path, skip));
    else if (st.isFile()) out.push(path);
  }
  return out;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

export function toPosix(path: string): string {
  return path.split(sep).join('/').replace(/^\.\//, '');
}
