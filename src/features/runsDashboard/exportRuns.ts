// Export CSV/JSON: asks where to save, writes the selected runs (or every run the filter
// matches) and answers with a notice the dashboard shows. The text comes from src/core.
import * as vscode from 'vscode';
import { runsToCsv, runsToJson } from '../../core/runsTable/exportRows';
import type { ExportMessage, NoticeMessage } from '../../protocol/runsDashboard';
import type { RunsSource } from './runsSource';

export async function exportRuns(source: RunsSource, message: ExportMessage, folder: vscode.Uri | undefined): Promise<NoticeMessage | undefined> {
  // JSON carries every param/metric/tag of the runs; CSV the columns the table shows.
  const result = source.allRows(message.query, message.format === 'csv' ? message.columns : undefined);
  if (!result.ok) return { type: 'notice', level: 'error', message: `Nothing exported: the filter is invalid (${result.error.message}).` };
  const wanted = message.runIds && message.runIds.length > 0 ? new Set(message.runIds) : undefined;
  const rows = wanted ? result.value.filter((r) => wanted.has(r.id)) : result.value;
  if (rows.length === 0) return { type: 'notice', level: 'error', message: 'Nothing exported: no runs match.' };

  const name = `runs.${message.format}`;
  const target = await vscode.window.showSaveDialog({
    title: `Export ${rows.length} ${rows.length === 1 ? 'run' : 'runs'} as ${message.format.toUpperCase()}`,
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: message.format === 'csv' ? { 'CSV': ['csv'] } : { 'JSON': ['json'] },
  });
  if (!target) return undefined;
  const text = message.format === 'csv' ? runsToCsv(rows, message.columns, Date.now()) : runsToJson(rows);
  try {
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  } catch (error) {
    return { type: 'notice', level: 'error', message: `Could not write ${target.fsPath}: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { type: 'notice', level: 'info', message: `Exported ${rows.length} ${rows.length === 1 ? 'run' : 'runs'} to ${target.fsPath}` };
}
