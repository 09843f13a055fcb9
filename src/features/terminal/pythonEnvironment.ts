// Makes `python train.py` in any VS Code terminal of this window log to this workspace:
// the bundled `modelcloud` package goes on PYTHONPATH and MODELCLOUD_DIR names the store.
// Nothing is executed here; the variables only apply to terminals the user opens.
import * as vscode from 'vscode';
import { delimiter } from 'node:path';

export function configureTerminalEnvironment(
  collection: vscode.GlobalEnvironmentVariableCollection,
  bundledPythonDir: string,
  storeDir: string | undefined,
): void {
  collection.clear();
  if (storeDir === undefined) return; // no folder open: nothing to log into
  collection.persistent = true;
  collection.description = new vscode.MarkdownString(
    `Lets \`python\` in this window's terminals \`import modelcloud\` (the copy bundled with the extension) ` +
    `and log runs to \`${storeDir}\` (\`MODELCLOUD_DIR\`), so they show in the Experiments view.`,
  );
  collection.prepend('PYTHONPATH', `${bundledPythonDir}${delimiter}`);
  collection.replace('MODELCLOUD_DIR', storeDir);
}
