// Problems in modelcloud.yaml as diagnostics (Problems panel, squiggles), from the same parser
// packaging and deploy use, so validation works without the YAML extension (which, when
// installed, also validates and completes through the contributed JSON schema).
import * as vscode from 'vscode';
import { basename, dirname } from 'node:path';
import { parseManifest } from '../../core/services/manifest';
import { MANIFEST_FILE } from './serviceFolders';

const DEBOUNCE_MS = 200;

export function registerManifestDiagnostics(): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('modelcloud.yaml');
  const timers = new Map<string, NodeJS.Timeout>();

  const isManifest = (doc: vscode.TextDocument): boolean => basename(doc.uri.path) === MANIFEST_FILE;
  const validate = (doc: vscode.TextDocument): void => {
    if (!isManifest(doc)) return;
    collection.set(doc.uri, manifestDiagnostics(doc));
  };
  const validateSoon = (doc: vscode.TextDocument): void => {
    if (!isManifest(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      validate(doc);
    }, DEBOUNCE_MS));
  };

  vscode.workspace.textDocuments.forEach(validate);
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(validate),
    vscode.workspace.onDidChangeTextDocument((event) => validateSoon(event.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => collection.delete(doc.uri)),
    { dispose: () => { for (const timer of timers.values()) clearTimeout(timer); } },
  );
}

export function manifestDiagnostics(doc: vscode.TextDocument): vscode.Diagnostic[] {
  // The service name defaults to the folder's name, as when packaging.
  const { problems } = parseManifest(doc.getText(), MANIFEST_FILE, { name: basename(dirname(doc.uri.path)) });
  return problems.map((problem) => {
    const line = Math.min(Math.max(problem.line - 1, 0), Math.max(doc.lineCount - 1, 0));
    const text = doc.lineAt(line).text;
    const start = Math.min(Math.max(problem.column - 1, 0), text.length);
    // Underline the token the problem points at (to the end of the word or the line).
    const rest = text.slice(start);
    const length = Math.max(1, /^[^\s:#,]+/.exec(rest)?.[0].length ?? rest.trimEnd().length);
    const range = new vscode.Range(line, start, line, Math.min(text.length, start + length) || start + 1);
    // The parser prefixes "file:line:col: " for terminal output; the Problems panel shows the position itself.
    const message = problem.message.replace(/^[^\n]*?:\d+:\d+: /, '');
    const diagnostic = new vscode.Diagnostic(range, message,
      problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
    diagnostic.source = 'modelcloud';
    return diagnostic;
  });
}
