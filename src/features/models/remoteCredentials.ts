// S3 credentials per remote in VS Code's SecretStorage (the OS keychain on desktop), so Push and
// Pull work without AWS environment variables or ~/.aws files. Keyed by remote name; never
// written to settings, logs or error messages. Without stored credentials, push/pull fall back
// to the AWS default chain, as the CLI does.
import * as vscode from 'vscode';
import { COMMAND } from '../commandIds';

export interface RemoteCredentials { accessKeyId: string; secretAccessKey: string }

const secretKey = (remote: string): string => `modelcloud.remoteCredentials/${remote}`;

export class RemoteCredentialStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(remote: string): Promise<RemoteCredentials | undefined> {
    const text = await this.secrets.get(secretKey(remote));
    if (!text) return undefined;
    try {
      const parsed = JSON.parse(text) as Partial<RemoteCredentials>;
      return typeof parsed.accessKeyId === 'string' && typeof parsed.secretAccessKey === 'string'
        ? { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey } : undefined;
    } catch {
      return undefined;
    }
  }

  set(remote: string, credentials: RemoteCredentials): Thenable<void> {
    return this.secrets.store(secretKey(remote), JSON.stringify(credentials));
  }

  delete(remote: string): Thenable<void> {
    return this.secrets.delete(secretKey(remote));
  }
}

export interface RemoteCredentialDeps {
  credentials: RemoteCredentialStore;
  storeDir: string;
}

export function registerRemoteCredentialCommands(deps: RemoteCredentialDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMAND.setRemoteCredentials, async (remoteArg?: string, keyIdArg?: string, secretArg?: string): Promise<boolean> => {
      const remote = remoteArg ?? await pickRemote(deps.storeDir, 'Set Remote Credentials');
      if (!remote) return false;
      const accessKeyId = keyIdArg ?? await vscode.window.showInputBox({
        title: `Credentials for remote '${remote}' (1/2)`, prompt: 'Access key id', ignoreFocusOut: true,
        validateInput: (v) => (/^\S+$/.test(v) ? undefined : 'Enter the access key id (no spaces).'),
      });
      if (!accessKeyId) return false;
      const secretAccessKey = secretArg ?? await vscode.window.showInputBox({
        title: `Credentials for remote '${remote}' (2/2)`, prompt: 'Secret access key (stored in the OS keychain through VS Code SecretStorage)',
        password: true, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Enter the secret access key.'),
      });
      if (!secretAccessKey) return false;
      await deps.credentials.set(remote, { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim() });
      void vscode.window.showInformationMessage(`Saved credentials for remote '${remote}'; Push and Pull use them from now on.`);
      return true;
    }),
    vscode.commands.registerCommand(COMMAND.clearRemoteCredentials, async (remoteArg?: string): Promise<boolean> => {
      const remote = remoteArg ?? await pickRemote(deps.storeDir, 'Clear Remote Credentials');
      if (!remote) return false;
      const had = (await deps.credentials.get(remote)) !== undefined;
      await deps.credentials.delete(remote);
      void vscode.window.showInformationMessage(had
        ? `Removed the stored credentials of remote '${remote}'; Push and Pull use the AWS default chain again.`
        : `Remote '${remote}' had no stored credentials.`);
      return had;
    }),
  ];
}

async function pickRemote(storeDir: string, title: string): Promise<string | undefined> {
  const { loadRemotes } = await import('../../platform/remote/remotesConfig');
  let remotes;
  try {
    remotes = loadRemotes(storeDir);
  } catch (error) {
    void vscode.window.showErrorMessage(`${title} failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  if (remotes.length === 0) {
    void vscode.window.showInformationMessage(`No remotes in ${storeDir}/remotes.json yet; add one with 'modelcloud remote add NAME s3://bucket/prefix'.`);
    return undefined;
  }
  return (await vscode.window.showQuickPick(remotes.map((r) => ({ label: r.name, description: r.url })), { title }))?.label;
}
