// Read-only text documents for things Modelcloud shows but the user should not edit or be asked
// to save: Inspect Service results and the log excerpt of a failed deploy. Each show() makes a
// new URI (modelcloud-view:/<title>?<n>) whose text the provider serves from memory.
import * as vscode from 'vscode';

export const READ_ONLY_SCHEME = 'modelcloud-view';
/** Oldest contents are dropped past this many documents (they are cheap to re-create). */
const KEEP = 50;

export class ReadOnlyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private counter = 0;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(READ_ONLY_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? 'This view is no longer available: run the command again.';
  }

  /** `title` becomes the tab's name, so give it the extension that picks the language (".md", ".log"). */
  create(title: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: READ_ONLY_SCHEME, path: `/${title.replace(/[\\/]/g, '_')}`, query: String(++this.counter) });
    this.contents.set(uri.toString(), text);
    while (this.contents.size > KEEP) this.contents.delete(this.contents.keys().next().value as string);
    return uri;
  }

  async show(title: string, text: string, language?: string): Promise<vscode.TextDocument> {
    let doc = await vscode.workspace.openTextDocument(this.create(title, text));
    if (language && doc.languageId !== language) doc = await vscode.languages.setTextDocumentLanguage(doc, language);
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc;
  }

  dispose(): void {
    this.registration.dispose();
    this.contents.clear();
  }
}
