// "Open Source" on a run: the script, or the notebook scrolled to the cell that logged it.
import * as vscode from 'vscode';
import { isAbsolute, join } from 'node:path';
import type { RunSummary } from '../../core/tracking/types';
import { runLabel } from '../../core/experiments/format';

/** Resolves a recorded source path: absolute as recorded, else relative to the workspace root. */
export function resolveSourcePath(recorded: string, workspaceRoot: string): string {
  return isAbsolute(recorded) ? recorded : join(workspaceRoot, recorded);
}

export async function openRunSource(run: RunSummary, workspaceRoot: string): Promise<void> {
  const label = runLabel(run);
  if (!run.source.path) {
    void vscode.window.showErrorMessage(`Run "${label}" has no recorded source file, so there is nothing to open.`);
    return;
  }
  const path = resolveSourcePath(run.source.path, workspaceRoot);
  const uri = vscode.Uri.file(path);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showErrorMessage(
      `Cannot open the source of run "${label}": ${path} does not exist. It may have been moved, renamed or deleted since the run.`,
    );
    return;
  }
  if (run.source.kind === 'notebook' || path.toLowerCase().endsWith('.ipynb')) {
    await openNotebookAtCell(uri, run.source.cell, label);
  } else {
    await vscode.window.showTextDocument(uri, { preview: true });
  }
}

async function openNotebookAtCell(uri: vscode.Uri, cell: number | undefined, label: string): Promise<void> {
  const document = await vscode.workspace.openNotebookDocument(uri);
  if (cell === undefined) {
    await vscode.window.showNotebookDocument(document);
    return;
  }
  // The client records the cell's execution count (the n of "In [n]"): find the cell that ran with it.
  const index = document.getCells().findIndex((c) => c.executionSummary?.executionOrder === cell);
  if (index < 0) {
    await vscode.window.showNotebookDocument(document);
    void vscode.window.showWarningMessage(
      `Run "${label}" was logged from the cell executed as [${cell}], but no cell of ${uri.fsPath} has that execution count now ` +
      '(the notebook was re-run or its outputs cleared). The notebook was opened at the top.',
    );
    return;
  }
  const range = new vscode.NotebookRange(index, index + 1);
  const editor = await vscode.window.showNotebookDocument(document, { selections: [range] });
  editor.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
}
