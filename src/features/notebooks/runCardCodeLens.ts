// "Run rf-depth-3 · f1 0.9712 · Open" above every notebook cell whose outputs carry a run card.
// Cell documents have the `vscode-notebook-cell` scheme; the cell is found through its notebook.
import * as vscode from 'vscode';
import { runCardLensTitle, runCardsInOutputs } from '../../core/notebooks/runCardSummary';
import { RUN_CARD_MIME } from '../../protocol/notebookRunCard';
import { COMMAND } from '../commandIds';

export class RunCardCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly configuredPrimaryMetric: () => string) {
    this.subscriptions = [
      vscode.workspace.onDidChangeNotebookDocument((event) => {
        // Only output changes can add, update or remove a card.
        if (event.cellChanges.some((change) => change.outputs !== undefined)) this.changed.fire();
      }),
      vscode.workspace.onDidOpenNotebookDocument(() => this.changed.fire()),
    ];
  }

  /** Lenses again when the primary metric setting changes. */
  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const cell = findCell(document.uri);
    if (!cell) return [];
    const outputs = cell.outputs.filter((output) => output.items.some((item) => item.mime === RUN_CARD_MIME));
    if (outputs.length === 0) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    return runCardsInOutputs(outputs).map((card) => new vscode.CodeLens(top, {
      title: runCardLensTitle(card, this.configuredPrimaryMetric()),
      tooltip: `Open the dashboard of run ${card.runId} (experiment "${card.experiment}") and reveal it in the Experiments view`,
      command: COMMAND.notebookOpenRun,
      arguments: [card.runId, card.storeDir],
    }));
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.changed.dispose();
  }
}

function findCell(uri: vscode.Uri): vscode.NotebookCell | undefined {
  const key = uri.toString();
  for (const notebook of vscode.workspace.notebookDocuments) {
    if (notebook.uri.path !== uri.path) continue;
    const cell = notebook.getCells().find((c) => c.document.uri.toString() === key);
    if (cell) return cell;
  }
  return undefined;
}
