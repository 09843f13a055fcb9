// A local revision runs from its own copy of the service folder (<service>/revisions/<n>/), so a
// rollback brings back exactly what was deployed, whatever the working tree looks like now.
// The digest (sha256 over relative paths and contents) identifies what a revision contains.
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, statSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Never part of a service: caches, VCS data, local environments, our own store. */
const SKIPPED = new Set(['.git', '.hg', '.svn', '__pycache__', '.modelcloud', 'node_modules', '.venv', 'venv', '.mypy_cache', '.pytest_cache', '.ipynb_checkpoints']);

function skipped(name: string): boolean {
  return SKIPPED.has(name) || name.endsWith('.pyc');
}

/** Relative paths of the files that make up a service folder, sorted. */
export function serviceFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (skipped(name)) continue;
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) found.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return found;
}

/** sha256 over (path, content hash) of the files, in order. */
export function digestFiles(dir: string, files: string[]): string {
  const outer = createHash('sha256');
  for (const file of [...files].sort()) {
    const inner = createHash('sha256').update(readFileSync(join(dir, file))).digest('hex');
    outer.update(`${file}\0${inner}\n`);
  }
  return `sha256:${outer.digest('hex')}`;
}

/** Copies the service folder to `dest` (replacing it) and returns the digest of what was copied. */
export function copyServiceBundle(dir: string, dest: string): string {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  cpSync(dir, dest, {
    recursive: true,
    filter: (src) => {
      const rel = relative(dir, src);
      return rel === '' || !rel.split(sep).some(skipped);
    },
  });
  return digestFiles(dest, serviceFiles(dest));
}

/**
 * The model version label of a deploy: the manifest's `model:` URI when there is one, else a
 * sha256 prefix of the model files (so /version and /metrics tell two model files apart).
 */
export function modelVersionOf(dir: string, modelFiles: string[], manifestModel?: string): string | undefined {
  if (manifestModel) return manifestModel;
  if (!modelFiles.length) return undefined;
  return digestFiles(dir, modelFiles).slice(0, 'sha256:'.length + 12);
}
