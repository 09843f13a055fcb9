// Which directories the workspace watcher descends into. Pure: paths are workspace-relative
// with '/' separators ('' is the root). Every directory not skipped costs an inotify watch,
// so big workspaces stay cheap only if tool, cache and environment folders are skipped.

/** Folders that never hold tracking data but can hold huge trees. */
const SKIPPED_DIRECTORY_NAMES = new Set([
  'node_modules', '__pycache__', 'venv', 'env', 'site-packages', 'dist-packages', 'wandb', 'lightning_logs',
]);

/** The store's own folder: only its run logs are ingest triggers (tracking.db writes must not be). */
const STORE_DIR = '.modelcloud';
const STORE_WATCHED_CHILDREN = new Set(['runs']);

/**
 * True when the watcher should not enter this directory: skipped names, hidden folders
 * (.git, .venv, .ipynb_checkpoints, MLflow's .trash, ...) except the store folder itself,
 * everything in the store folder except runs/, and MLflow artifact folders.
 */
export function isSkippedDirectory(relPath: string): boolean {
  if (relPath === '') return false;
  const segments = relPath.split('/');
  if (segments[0] === STORE_DIR) {
    return segments.length > 2 || (segments.length === 2 && !STORE_WATCHED_CHILDREN.has(segments[1]));
  }
  const mlrunsAt = segments.indexOf('mlruns');
  for (let i = 0; i < segments.length; i++) {
    const name = segments[i];
    if (name.startsWith('.') || SKIPPED_DIRECTORY_NAMES.has(name)) return true;
    // mlruns/<exp>/<run>/artifacts/... holds model files, never metadata we read.
    if (mlrunsAt >= 0 && i > mlrunsAt && name === 'artifacts') return true;
  }
  return false;
}

/** Kind of a path as far as the watcher knows: chokidar sometimes asks before it has stat'ed. */
export type WatchedPathKind = 'file' | 'directory' | 'unknown';

/**
 * The watcher's `ignored` decision. A file is watched when it is a trigger file in a directory
 * that is watched; an unknown path is ignored only when it would be ignored as either kind
 * (chokidar asks again with stats before it adds a file).
 */
export function isIgnoredWatchPath(relPath: string, kind: WatchedPathKind, isTriggerFile: (relPath: string) => boolean): boolean {
  const asDirectory = (): boolean => isSkippedDirectory(relPath);
  const asFile = (): boolean => {
    const slash = relPath.lastIndexOf('/');
    return (slash >= 0 && isSkippedDirectory(relPath.slice(0, slash))) || !isTriggerFile(relPath);
  };
  if (kind === 'directory') return asDirectory();
  if (kind === 'file') return asFile();
  return asDirectory() && asFile();
}
