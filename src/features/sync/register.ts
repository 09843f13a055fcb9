// `Modelcloud: Sync` (README "Team sync"): shares run logs and the registry with the team through
// an S3 remote, with a cancellable progress notification; then ingests and refreshes the views.
// Conflicts (resolved by the documented rules) are listed in the output channel and offered in a
// notification with "Show Conflicts", which lists the last sync's conflicts in a quick pick.
// Allowed in untrusted workspaces: sync runs no workspace code (it moves run logs and registry
// rows, as ingest and the registry commands do). The S3 code loads on first use.
import * as vscode from 'vscode';
import type { RemoteConfig } from '../../platform/remote/remotesConfig';
import type { SyncReport } from '../../core/sync/report';
import { COMMAND } from '../commandIds';

export interface SyncFeatureDeps {
  storeDir: string;
  log: vscode.LogOutputChannel;
  /** S3 credentials of a remote (SecretStorage); undefined: the AWS default chain. */
  credentials?(remote: RemoteConfig): Promise<{ accessKeyId: string; secretAccessKey: string } | undefined>;
  /** Ingest what came down and refresh the Experiments and Models views. */
  afterSync(report: SyncReport): Promise<unknown>;
}

export function registerSyncCommands(deps: SyncFeatureDeps): vscode.Disposable[] {
  let lastRemote: string | undefined;

  const sync = async (remoteArg?: string): Promise<SyncReport | undefined> => {
    const [{ loadRemotes }, { syncWithRemote }, { formatSyncReport }] = await Promise.all([
      import('../../platform/remote/remotesConfig'), import('../../platform/sync/syncWithRemote'), import('../../core/sync/report'),
    ]);
    try {
      const remotes = loadRemotes(deps.storeDir);
      if (remotes.length === 0) {
        throw new Error(`no remotes are configured in ${deps.storeDir}/remotes.json; add one with 'modelcloud remote add NAME s3://bucket/prefix'`);
      }
      const remoteName = typeof remoteArg === 'string' ? remoteArg : remotes.length === 1 ? remotes[0].name
        : (await vscode.window.showQuickPick(remotes.map((r) => ({ label: r.name, description: `${r.url}${r.readOnly ? ' (read-only: pull only)' : ''}` })),
          { title: 'Sync with which remote?' }))?.label;
      if (!remoteName) return undefined;
      const config = remotes.find((r) => r.name === remoteName);
      if (!config) throw new Error(`no remote named '${remoteName}' (known: ${remotes.map((r) => r.name).join(', ')})`);
      const credentials = await deps.credentials?.(config);
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Sync with ${remoteName}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          const result = await syncWithRemote({
            storeDir: deps.storeDir, remote: config, credentials, signal: abort.signal,
            onStep: (message) => progress.report({ message }),
          });
          progress.report({ message: 'ingesting what came down' });
          await deps.afterSync(result);
          return result;
        },
      );
      lastRemote = remoteName;
      for (const line of formatSyncReport(report).trimEnd().split('\n')) deps.log.info(line);
      const summary = `Synced with ${remoteName}${report.readOnly ? ' (read-only: pulled only)' : ''}: ` +
        `${report.runsDownloaded.length} run(s) and ${report.eventsDownloaded} registry change(s) down, ` +
        `${report.runsUploaded.length} run(s) and ${report.eventsUploaded} change(s) up.`;
      if (report.conflicts.length) {
        // Not awaited: the command returns the report at once; the notification waits for the user.
        void vscode.window.showWarningMessage(`${summary} ${report.conflicts.length} conflict(s) were resolved by the sync rules.`, 'Show Conflicts')
          .then((pick) => (pick === 'Show Conflicts' ? vscode.commands.executeCommand(COMMAND.syncShowConflicts, remoteName) : undefined));
      } else {
        void vscode.window.showInformationMessage(summary);
      }
      return report;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if ((error as Error)?.name === 'AbortError') {
        void vscode.window.showInformationMessage('Sync cancelled; what was already synced is kept, the next sync continues from there.');
        return undefined;
      }
      deps.log.error(`Sync failed: ${message}`);
      void vscode.window.showErrorMessage(`Modelcloud sync failed: ${message}`);
      return undefined;
    }
  };

  const showConflicts = async (remoteArg?: string): Promise<void> => {
    const [{ loadLastReport }, { loadRemotes }] = await Promise.all([import('../../platform/sync/syncFiles'), import('../../platform/remote/remotesConfig')]);
    const remote = typeof remoteArg === 'string' ? remoteArg : lastRemote ?? loadRemotes(deps.storeDir)[0]?.name;
    const report = remote ? loadLastReport(deps.storeDir, remote) : undefined;
    if (!report) {
      void vscode.window.showInformationMessage('No sync yet: run "Modelcloud: Sync" first.');
      return;
    }
    if (!report.conflicts.length) {
      void vscode.window.showInformationMessage(`The last sync with ${report.remote} (${new Date(report.startedMs).toLocaleString()}) had no conflicts.`);
      return;
    }
    const items = report.conflicts.map((c) => ({
      label: c.kind === 'renumbered' ? `$(versions) ${c.model} v${c.from} → v${c.to}` : `$(${c.yours === 'lost' ? 'warning' : 'info'}) ${c.field} ${c.field === 'stage' ? '' : c.key} of ${c.model}`,
      detail: c.message,
    }));
    const picked = await vscode.window.showQuickPick(items, {
      title: `Conflicts of the last sync with ${report.remote} — resolved by the rules in README "Team sync"`, matchOnDetail: true,
      placeHolder: 'Pick one to see the full sync report in the Modelcloud output',
    });
    if (picked) deps.log.show(true);
  };

  return [
    vscode.commands.registerCommand(COMMAND.sync, sync),
    vscode.commands.registerCommand(COMMAND.syncShowConflicts, showConflicts),
  ];
}
