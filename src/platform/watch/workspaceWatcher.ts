// Watches one workspace folder for ingest trigger files (run logs, mlruns/ metadata, seed
// databases) with chokidar 4. chokidar 4 has no globs, so the filter is a function: hidden,
// tool and environment folders are never entered and non-trigger files are never tracked,
// which keeps the number of inotify watches small on big workspaces.
import { watch, type FSWatcher } from 'chokidar';
import { relative, sep } from 'node:path';
import type { Stats } from 'node:fs';
import { isIgnoredWatchPath } from '../../core/watch/watchFilter';

export interface WorkspaceWatcherOptions {
  /** Absolute path of the workspace folder. */
  root: string;
  /** Whether a file (absolute path) should trigger an ingest. */
  isTriggerFile(absolutePath: string): boolean;
  /** A trigger file was added, changed or removed (absolute path). */
  onTrigger(absolutePath: string): void;
  onError(error: unknown): void;
  /**
   * Folder depth below the root the watcher descends. mlruns/<exp>/<run>/metrics/<a>/<b> is 6
   * deep; 10 leaves room for a project folder or two above it.
   */
  depth?: number;
}

export interface WorkspaceWatcher {
  /** Resolves once the initial scan is done and changes are being reported. */
  readonly ready: Promise<void>;
  dispose(): Promise<void>;
}

export function watchWorkspace(options: WorkspaceWatcherOptions): WorkspaceWatcher {
  const { root } = options;
  const toRelative = (path: string): string => {
    const rel = relative(root, path);
    return sep === '/' ? rel : rel.split(sep).join('/');
  };
  const isTrigger = (rel: string): boolean => options.isTriggerFile(`${root}${sep}${rel.split('/').join(sep)}`);

  const watcher: FSWatcher = watch(root, {
    ignoreInitial: true, // the initial ingestAll() covers what exists at startup
    persistent: true,
    depth: options.depth ?? 10,
    followSymlinks: false,
    ignored: (path: string, stats?: Stats) => {
      const rel = toRelative(path);
      if (rel.startsWith('..')) return true;
      const kind = stats === undefined ? 'unknown' : stats.isDirectory() ? 'directory' : 'file';
      return isIgnoredWatchPath(rel, kind, isTrigger);
    },
  });
  const report = (path: string): void => options.onTrigger(path);
  watcher.on('add', report).on('change', report).on('unlink', report);
  watcher.on('error', (error) => options.onError(error));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    dispose: () => watcher.close(),
  };
}
