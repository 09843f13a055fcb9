// Command "Open Version Details": one tab per model version (revealed again when already open),
// from the Models view (inline button, context menu), from scripts with {name, version} or a
// "models:/NAME/N" string, or from the Command Palette with a QuickPick.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import type { RegistryStore } from '../../platform/registry/registryStore';
import { RevisionStore } from '../../platform/store/revisionStore';
import type { RevisionOfService } from '../../core/registry/lineage';
import { localBlobPath } from '../../platform/remote/localBlobs';
import { COMMAND } from '../commandIds';
import { pickVersion, versionTargetOf } from '../models/commands';
import { VersionDetailPanel } from './versionDetailPanel';
import type { VersionDetailSources } from './versionDetailModel';

export interface VersionDetailDeps {
  registry: RegistryStore;
  store: TrackingStore;
  extensionUri: vscode.Uri;
  /** <workspace>/.modelcloud */
  storeDir: string;
}

export interface VersionDetails {
  disposables: vscode.Disposable[];
  open(name: string, version: number): VersionDetailPanel | undefined;
  /** Re-sends the state of every open panel whose content changed (registry, run or deploys moved). */
  refresh(): void;
}

export function registerVersionDetail(deps: VersionDetailDeps): VersionDetails {
  const panels = new Map<string, VersionDetailPanel>();
  let revisionStore: RevisionStore | undefined;
  const sources: VersionDetailSources = {
    registry: deps.registry,
    store: deps.store,
    revisions: () => {
      try {
        revisionStore ??= new RevisionStore(deps.registry.path);
        const store = revisionStore;
        return store.services().flatMap((s) => store.list(s)) as RevisionOfService[];
      } catch {
        return []; // no deploys yet, or the table is unreadable: the lineage shows no services
      }
    },
    blobExists: (sha256) => {
      try { return existsSync(localBlobPath(deps.storeDir, sha256)); } catch { return false; }
    },
  };
  const open = (name: string, version: number): VersionDetailPanel | undefined => {
    const key = `${name}\u0000${version}`;
    const existing = panels.get(key);
    if (existing) {
      existing.reveal();
      existing.sendState();
      return existing;
    }
    if (!deps.registry.getModel(name)?.versions.some((v) => v.version === version)) {
      void vscode.window.showErrorMessage(`No version ${version} of model '${name}' in the registry; refresh the Models view and try again.`);
      return undefined;
    }
    const panel = new VersionDetailPanel({ sources, extensionUri: deps.extensionUri }, name, version);
    panels.set(key, panel);
    panel.dashboard.panel.onDidDispose(() => panels.delete(key));
    // Shown again after being hidden: the webview reloads and asks for state itself.
    return panel;
  };
  const command = vscode.commands.registerCommand(COMMAND.modelOpenVersion, async (arg?: unknown) => {
    const t = versionTargetOf(arg) ?? await pickVersion(deps.registry);
    return t ? open(t.name, t.version) : undefined;
  });
  return {
    disposables: [command, { dispose: () => { for (const p of [...panels.values()]) p.dispose(); revisionStore?.close(); } }],
    open,
    refresh: () => { for (const p of panels.values()) p.refreshIfChanged(); },
  };
}
