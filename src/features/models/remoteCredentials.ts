// S3 credentials per remote in VS Code's SecretStorage (the OS keychain on desktop), so Push and
// Pull work without AWS environment variables or ~/.aws files. Never written to settings, logs or
// error messages. Without stored credentials, push/pull fall back to the AWS default chain, as the
// CLI does.
//
// Stored credentials are bound to where the remote pointed when they were saved (endpoint and
// bucket): remotes.json lives in the workspace, so a cloned repository could otherwise rename its
// own endpoint to a name you keep keys for and have your pushes signed for its server.
import * as vscode from 'vscode';
import { credentialBinding } from '../../core/remote/credentialBinding';
import type { RemoteConfig } from '../../platform/remote/remotesConfig';
import { COMMAND } from '../commandIds';

export interface RemoteCredentials { accessKeyId: string; secretAccessKey: string }

const secretKey = (remote: string): string => `modelcloud.remoteCredentials/${remote}`;

export class RemoteCredentialStore {
  /** `onRefused` hears why stored credentials were not used (the remote points elsewhere now). */
  constructor(private readonly secrets: vscode.SecretStorage, private readonly onRefused: (message: string) => void = () => undefined) {}

  /** The credentials stored for this remote, if it still points where they were saved for. */
  async get(remote: Pick<RemoteConfig, 'name' | 'url' | 'endpoint'>): Promise<RemoteCredentials | undefined> {
    const text = await this.secrets.get(secretKey(remote.name));
    if (!text) return undefined;
    let parsed: Partial<RemoteCredentials & { boundTo: string }>;
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      return undefined;
    }
    if (typeof parsed.accessKeyId !== 'string' || typeof parsed.secretAccessKey !== 'string') return undefined;
    const now = credentialBinding(remote);
    if (parsed.boundTo !== now) {
      this.onRefused(`The stored credentials of remote '${remote.name}' were saved for ${parsed.boundTo ?? 'an unknown endpoint'}, ` +
        `but remotes.json now points it to ${now}; they were not sent (the AWS default chain is used instead). ` +
        `If the change is yours, run "Modelcloud: Set Remote Credentials…" for '${remote.name}' again.`);
      return undefined;
    }
    return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey };
  }

  /** True when something is stored under the remote's name, wherever it was bound. */
  async has(remote: string): Promise<boolean> {
    return Boolean(await this.secrets.get(secretKey(remote)));
  }

  set(remote: Pick<RemoteConfig, 'name' | 'url' | 'endpoint'>, credentials: RemoteCredentials): Thenable<void> {
    return this.secrets.store(secretKey(remote.name), JSON.stringify({ ...credentials, boundTo: credentialBinding(remote) }));
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
      const config = await findRemote(deps.storeDir, remote, 'Set Remote Credentials');
      if (!config) return false;
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
      await deps.credentials.set(config, { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim() });
      void vscode.window.showInformationMessage(`Saved credentials for remote '${remote}'; Push and Pull use them from now on.`);
      return true;
    }),
    vscode.commands.registerCommand(COMMAND.clearRemoteCredentials, async (remoteArg?: string): Promise<boolean> => {
      const remote = remoteArg ?? await pickRemote(deps.storeDir, 'Clear Remote Credentials');
      if (!remote) return false;
      const had = await deps.credentials.has(remote);
      await deps.credentials.delete(remote);
      void vscode.window.showInformationMessage(had
        ? `Removed the stored credentials of remote '${remote}'; Push and Pull use the AWS default chain again.`
        : `Remote '${remote}' had no stored credentials.`);
      return had;
    }),
  ];
}

async function readRemotes(storeDir: string, title: string): Promise<RemoteConfig[] | undefined> {
  const { loadRemotes } = await import('../../platform/remote/remotesConfig');
  try {
    return loadRemotes(storeDir);
  } catch (error) {
    void vscode.window.showErrorMessage(`${title} failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

async function findRemote(storeDir: string, name: string, title: string): Promise<RemoteConfig | undefined> {
  const remotes = await readRemotes(storeDir, title);
  if (!remotes) return undefined;
  const found = remotes.find((r) => r.name === name);
  if (!found) void vscode.window.showErrorMessage(`${title} failed: no remote named '${name}' in ${storeDir}/remotes.json (known: ${remotes.map((r) => r.name).join(', ') || 'none'}).`);
  return found;
}

async function pickRemote(storeDir: string, title: string): Promise<string | undefined> {
  const remotes = await readRemotes(storeDir, title);
  if (!remotes) return undefined;
  if (remotes.length === 0) {
    void vscode.window.showInformationMessage(`No remotes in ${storeDir}/remotes.json yet; add one with 'modelcloud remote add NAME s3://bucket/prefix'.`);
    return undefined;
  }
  return (await vscode.window.showQuickPick(remotes.map((r) => ({ label: r.name, description: r.url })), { title }))?.label;
}
