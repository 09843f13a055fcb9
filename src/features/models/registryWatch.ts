// Shows registry changes made outside this window (`modelcloud stage …` in a terminal, another
// VS Code window) without a manual Refresh. Every second while the window is focused it reads
// PRAGMA data_version on the registry's connection: a counter SQLite keeps in shared memory that
// moves only when another connection commits, so a quiet second costs one tiny query and no
// file I/O. Only when it moved is the registry's fingerprint compared, so ingest writes (also
// another connection) redraw nothing unless the registry itself changed.
//
// Why not watch tracking.db-wal: the WAL file changes on every write of any connection (ingest
// logs many per second), is truncated by checkpoints, is not there at all in rollback-journal
// mode, and file events on it are coalesced or dropped by some file systems and remote setups;
// data_version is exact, driver-independent and needs no watcher.
import * as vscode from 'vscode';
import type { RegistryStore } from '../../platform/registry/registryStore';

export const REGISTRY_POLL_MS = 1000;

export interface RegistryWatchOptions {
  registry: Pick<RegistryStore, 'dataVersion' | 'changeFingerprint'>;
  /** The registry changed (another connection wrote registry rows). */
  onRegistryChanged(): void;
  /** The database changed at all (deploys write service revisions): open detail views re-check. */
  onDatabaseChanged(): void;
  pollMs?: number;
}

export class RegistryWatch implements vscode.Disposable {
  private dataVersion: number;
  private fingerprint: string;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly focus: vscode.Disposable;
  /** How many external registry changes were seen (tests read it). */
  changesSeen = 0;

  constructor(private readonly options: RegistryWatchOptions) {
    this.dataVersion = options.registry.dataVersion();
    this.fingerprint = options.registry.changeFingerprint();
    this.focus = vscode.window.onDidChangeWindowState((state) => {
      if (state.focused) { this.check(); this.start(); } else this.stop();
    });
    // Started whatever the focus says now: browser workbenches may report focus late or never.
    this.start();
  }

  /** Looks once; returns whether the registry changed. */
  check(): boolean {
    let version: number;
    try {
      version = this.options.registry.dataVersion();
    } catch {
      return false; // the database is closing (window shutting down)
    }
    if (version === this.dataVersion) return false;
    this.dataVersion = version;
    this.options.onDatabaseChanged();
    const fingerprint = this.options.registry.changeFingerprint();
    if (fingerprint === this.fingerprint) return false;
    this.fingerprint = fingerprint;
    this.changesSeen++;
    this.options.onRegistryChanged();
    return true;
  }

  dispose(): void {
    this.stop();
    this.focus.dispose();
  }

  private start(): void {
    this.timer ??= setInterval(() => this.check(), this.options.pollMs ?? REGISTRY_POLL_MS);
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
