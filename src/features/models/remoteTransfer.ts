// Push / Pull of a model version to and from an S3 remote (`<storeDir>/remotes.json`, managed
// with `modelcloud remote add`), with a cancellable progress notification. Credentials: the ones
// stored for the remote with "Set Remote Credentials…" (SecretStorage), else the AWS default
// chain, as for the CLI. The S3 code is imported on first use so activation does not pay for
// loading the SDK.
import * as vscode from 'vscode';
import type { RemoteConfig } from '../../platform/remote/remotesConfig';
import type { RegistryStore } from '../../platform/registry/registryStore';
import type { TransferProgress } from '../../core/remote/progress';
import { COMMAND } from '../commandIds';
import type { VersionTarget } from './commands';

export interface RemoteTransferDeps {
  registry: RegistryStore;
  storeDir: string;
  target(arg: unknown): Promise<VersionTarget | undefined>;
  onChanged(): void;
  /** Credentials stored for the remote (SecretStorage); undefined: the AWS default chain. */
  credentials?(remote: RemoteConfig): Promise<{ accessKeyId: string; secretAccessKey: string } | undefined>;
}

export function registerRemoteTransferCommands(deps: RemoteTransferDeps): vscode.Disposable[] {
  const transfer = (direction: 'push' | 'pull') => async (arg?: unknown, remoteArg?: string): Promise<string | undefined> => {
    const t = await deps.target(arg);
    if (!t) return undefined;
    const [{ loadRemotes }, { connectRemote }, { pushVersion }, { pullVersion }] = await Promise.all([
      import('../../platform/remote/remotesConfig'), import('../../platform/remote/s3Remote'),
      import('../../platform/remote/push'), import('../../platform/remote/pull'),
    ]);
    const what = `${direction === 'push' ? 'Push' : 'Pull'} ${t.name} v${t.version}`;
    try {
      const remotes = loadRemotes(deps.storeDir);
      if (remotes.length === 0) {
        throw new Error(`no remotes are configured in ${deps.storeDir}/remotes.json; add one with 'modelcloud remote add NAME s3://bucket/prefix'`);
      }
      const remoteName = remoteArg ?? (remotes.length === 1 ? remotes[0].name
        : (await vscode.window.showQuickPick(remotes.map((r) => ({ label: r.name, description: r.url })), { title: `${what}: remote` }))?.label);
      if (!remoteName) return undefined;
      const config = remotes.find((r) => r.name === remoteName);
      if (!config) throw new Error(`no remote named '${remoteName}' (known: ${remotes.map((r) => r.name).join(', ')})`);
      const remote = connectRemote(config, await deps.credentials?.(config));
      try {
        return await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `${what} ${direction === 'push' ? 'to' : 'from'} ${remoteName}`, cancellable: true },
          async (progress, token) => {
            const abort = new AbortController();
            token.onCancellationRequested(() => abort.abort());
            let reported = 0;
            const onProgress = (p: TransferProgress): void => {
              const percent = p.bytesTotal > 0 ? (100 * p.bytesDone) / p.bytesTotal : 100;
              progress.report({ increment: percent - reported, message: `${Math.round(percent)}%${p.etaSeconds !== undefined ? `, ${p.etaSeconds} s left` : ''}` });
              reported = percent;
            };
            if (direction === 'push') {
              const manifest = deps.registry.resolve({ name: t.name, kind: 'version', version: t.version });
              const result = await pushVersion(remote, manifest, deps.storeDir, { signal: abort.signal, onProgress });
              void vscode.window.showInformationMessage(`Pushed ${t.name} v${t.version} to ${remoteName}: ${result.blobsUploaded} file(s) uploaded, ${result.blobsAlreadyRemote} already there.`);
              return result.uri;
            }
            const result = await pullVersion(remote, t.name, t.version, deps.storeDir, { signal: abort.signal, onProgress });
            deps.onChanged();
            void vscode.window.showInformationMessage(`Pulled ${t.name} v${t.version} from ${remoteName}: ${result.blobsDownloaded} file(s) downloaded, ${result.blobsAlreadyLocal} already local.`);
            return `models:/${t.name}/${t.version}`;
          },
        );
      } finally {
        remote.client.destroy();
      }
    } catch (error) {
      void vscode.window.showErrorMessage(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };
  return [
    vscode.commands.registerCommand(COMMAND.modelPush, transfer('push')),
    vscode.commands.registerCommand(COMMAND.modelPull, transfer('pull')),
  ];
}
