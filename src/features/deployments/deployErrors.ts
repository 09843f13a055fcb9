// Deploy and rollback failures: the message in a notification, the log excerpt one click away.
import * as vscode from 'vscode';
import { DeployError } from '../../platform/deploy/serviceManager.api';
import type { ReadOnlyDocuments } from '../services/readOnlyDocuments';

const SHOW_LOG = 'Show Log';

/** `what` is "Deploy of wine" / "Rollback of wine"; the excerpt opens read-only on "Show Log". */
export function reportDeployFailure(what: string, error: unknown, docs: ReadOnlyDocuments, log: (line: string) => void): void {
  const message = error instanceof Error ? error.message : String(error);
  log(`${what} failed: ${message}`);
  if (error instanceof DeployError || isDeployErrorLike(error)) {
    const excerpt = error.logExcerpt;
    const revision = error.revision !== undefined ? ` (revision ${error.revision})` : '';
    void vscode.window.showErrorMessage(`${what} failed${revision}: ${message}`, ...(excerpt ? [SHOW_LOG] : [])).then((choice) => {
      if (choice === SHOW_LOG) void docs.show(`${what} failed${revision}.log`, excerpt, 'log');
    });
    return;
  }
  void vscode.window.showErrorMessage(`${what} failed: ${message}`);
}

/** A DeployError from another copy of the module (a bundled CLI, a test) still carries its excerpt. */
function isDeployErrorLike(error: unknown): error is DeployError {
  return error instanceof Error && error.name === 'DeployError' && typeof (error as Partial<DeployError>).logExcerpt === 'string';
}
