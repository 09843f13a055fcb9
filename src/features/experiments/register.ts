// Commands on the Experiments view's items: run Open Source / Copy ID / Rename / Add Tag /
// Delete, experiment Rename / Delete, Undo Last Delete, Show more. Every command also works
// from the keyboard (it falls back to the view's selection) and from scripts and tests:
// rename and tag commands take the new value as an optional second argument.
import * as vscode from 'vscode';
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import { parseTagInput } from '../../core/experiments/tagInput';
import { validateName } from '../../core/experiments/nameInput';
import { runLabel } from '../../core/experiments/format';
import { COMMAND } from '../commandIds';
import type { ExperimentNode, ExperimentsNode, RunNode } from './nodes';
import type { ExperimentsTreeProvider } from './tree';
import { DeleteUndoStack, type UndoableDelete } from './deleteUndo';
import { openRunSource } from './openSource';
import { purgeRunAndFiles, TRASH_COMMAND } from './trash';
import { join } from 'node:path';

export interface ExperimentCommandsDeps {
  store: TrackingStore;
  tree: ExperimentsTreeProvider;
  view: vscode.TreeView<ExperimentsNode>;
  workspaceRoot: string;
  /** <workspaceRoot>/.modelcloud: where Delete Permanently removes artifact blobs and run logs. */
  storeDir?: string;
}

export function registerExperimentCommands(deps: ExperimentCommandsDeps): vscode.Disposable[] {
  const { store, tree, view } = deps;
  const undo = new DeleteUndoStack();

  const runOf = (target: unknown): RunNode | undefined => pick(target, view, 'run', 'Select a run in the Experiments view first.');
  const experimentOf = (target: unknown): ExperimentNode | undefined =>
    pick(target, view, 'experiment', 'Select an experiment in the Experiments view first.');

  const offerUndo = (entry: UndoableDelete): void => {
    undo.remember(entry);
    // Not awaited: the notification stays until dismissed, the command is done now.
    void vscode.window.showInformationMessage(`Deleted ${entry.what}.`, 'Undo').then((choice) => {
      if (choice === 'Undo' && undo.undo(entry)) tree.refresh();
    });
  };

  return [
    vscode.commands.registerCommand(COMMAND.runOpenSource, async (target?: unknown) => {
      const node = runOf(target);
      if (node) await openRunSource(node.run, deps.workspaceRoot);
    }),

    vscode.commands.registerCommand(COMMAND.runCopyId, async (target?: unknown) => {
      const node = runOf(target);
      if (!node) return;
      await vscode.env.clipboard.writeText(node.run.id);
      vscode.window.setStatusBarMessage(`Copied run ID ${node.run.id}`, 3000);
    }),

    vscode.commands.registerCommand(COMMAND.runRename, async (target?: unknown, newName?: unknown) => {
      const node = runOf(target);
      if (!node) return;
      const name = await askName('run', runLabel(node.run), newName);
      if (name === undefined) return;
      store.renameRun(node.run.id, name);
      tree.refresh();
    }),

    vscode.commands.registerCommand(COMMAND.runAddTag, async (target?: unknown, tagInput?: unknown) => {
      const node = runOf(target);
      if (!node) return;
      const input = typeof tagInput === 'string' ? tagInput : await vscode.window.showInputBox({
        title: `Add Tag to Run "${runLabel(node.run)}"`,
        prompt: 'Type the tag as key=value. A tag with the same key is replaced.',
        placeHolder: 'dataset=mnist-v2',
        validateInput: (value) => (value === '' ? undefined : errorOf(parseTagInput(value))),
      });
      if (input === undefined || input === '') return;
      const parsed = parseTagInput(input);
      if (!parsed.ok) {
        void vscode.window.showErrorMessage(`Tag not added: ${parsed.error}`);
        return;
      }
      store.setTag(node.run.id, parsed.key, parsed.value);
      tree.refresh();
    }),

    vscode.commands.registerCommand(COMMAND.runDelete, (target?: unknown) => {
      const node = runOf(target);
      if (!node) return;
      const { id } = node.run;
      store.softDeleteRun(id);
      tree.refresh();
      offerUndo({ what: `run "${runLabel(node.run)}"`, restore: () => store.restoreRun(id) });
    }),

    vscode.commands.registerCommand(COMMAND.experimentRename, async (target?: unknown, newName?: unknown) => {
      const node = experimentOf(target);
      if (!node) return;
      const name = await askName('experiment', node.experiment.name, newName);
      if (name === undefined) return;
      try {
        store.renameExperiment(node.experiment.id, name);
      } catch (error) {
        // Most likely another experiment already has that name (names are unique).
        void vscode.window.showErrorMessage(`Could not rename experiment "${node.experiment.name}" to "${name}": ${messageOf(error)}`);
        return;
      }
      tree.refresh();
    }),

    vscode.commands.registerCommand(COMMAND.experimentDelete, (target?: unknown) => {
      const node = experimentOf(target);
      if (!node) return;
      const { id, name } = node.experiment;
      store.softDeleteExperiment(id);
      tree.refresh();
      offerUndo({ what: `experiment "${name}"`, restore: () => store.restoreExperiment(id) });
    }),

    vscode.commands.registerCommand(COMMAND.undoLastDelete, () => {
      const entry = undo.undoLast();
      if (!entry) {
        void vscode.window.showInformationMessage('Nothing to undo: no run or experiment was deleted in this window.');
        return;
      }
      tree.refresh();
      vscode.window.setStatusBarMessage(`Restored ${entry.what}`, 3000);
    }),

    vscode.commands.registerCommand(TRASH_COMMAND.restore, (target?: unknown) => {
      const node = pick(target, view, 'deletedRun', 'Select a run under Trash in the Experiments view first.');
      if (!node) return;
      store.restoreRun(node.run.id);
      tree.refresh();
      vscode.window.setStatusBarMessage(`Restored run "${runLabel(node.run)}"`, 3000);
    }),

    // The second argument `true` skips the confirmation (scripts and tests); users always get the modal.
    vscode.commands.registerCommand(TRASH_COMMAND.deletePermanently, async (target?: unknown, confirmed?: unknown) => {
      const node = pick(target, view, 'deletedRun', 'Select a run under Trash in the Experiments view first.');
      if (!node) return undefined;
      const label = runLabel(node.run);
      if (confirmed !== true) {
        const choice = await vscode.window.showWarningMessage(
          `Delete run "${label}" permanently?`,
          {
            modal: true,
            detail: 'Its params, metrics, tags and artifact records are removed from the tracking store, with the artifact files no other run uses' +
              (node.run.origin === 'modelcloud' ? ' and its run log in .modelcloud/runs.' : '. Its MLflow or seed source files are not touched.') +
              ' This cannot be undone.',
          },
          'Delete Permanently',
        );
        if (choice !== 'Delete Permanently') return undefined;
      }
      try {
        const result = purgeRunAndFiles(store, deps.storeDir ?? join(deps.workspaceRoot, '.modelcloud'), node.run.id);
        tree.refresh();
        if (result.problems.length) {
          void vscode.window.showWarningMessage(`Run "${label}" was deleted, but some files could not be removed: ${result.problems.join('; ')}`);
        } else {
          vscode.window.setStatusBarMessage(`Deleted run "${label}" permanently`, 3000);
        }
        return result;
      } catch (error) {
        void vscode.window.showErrorMessage(`Could not delete run "${label}" permanently: ${messageOf(error)}`);
        return undefined;
      }
    }),

    vscode.commands.registerCommand(COMMAND.experimentsShowMore, (experimentId?: unknown) => {
      if (typeof experimentId === 'number') tree.showMore(experimentId);
    }),
  ];
}

/** The node the command was invoked on, else the view's selection if it is of the right kind. */
function pick<K extends ExperimentsNode['kind']>(
  target: unknown, view: vscode.TreeView<ExperimentsNode>, kind: K, missing: string,
): Extract<ExperimentsNode, { kind: K }> | undefined {
  const candidate = isNode(target) ? target : view.selection[0];
  if (candidate?.kind === kind) return candidate as Extract<ExperimentsNode, { kind: K }>;
  void vscode.window.showErrorMessage(missing);
  return undefined;
}

function isNode(value: unknown): value is ExperimentsNode {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

/** The new name from the argument (validated) or from an input box; undefined when cancelled or invalid. */
async function askName(what: 'run' | 'experiment', current: string, given: unknown): Promise<string | undefined> {
  if (typeof given === 'string') {
    const error = validateName(given, what);
    if (error) {
      void vscode.window.showErrorMessage(`Not renamed: ${error}`);
      return undefined;
    }
    return given.trim();
  }
  const typed = await vscode.window.showInputBox({
    title: `Rename ${what === 'run' ? 'Run' : 'Experiment'} "${current}"`,
    value: current,
    valueSelection: [0, current.length],
    validateInput: (value) => validateName(value, what),
  });
  if (typed === undefined || typed.trim() === current) return undefined;
  return typed.trim();
}

function errorOf(result: ReturnType<typeof parseTagInput>): string | undefined {
  return result.ok ? undefined : result.error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
