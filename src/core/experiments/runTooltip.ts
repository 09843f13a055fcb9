// The Markdown shown when hovering a run in the Experiments tree. Pure: returns the text;
// the tree wraps it in an untrusted vscode.MarkdownString.

import type { RunDetail } from '../tracking/types';
import { formatDuration, formatMetricValue, runDurationMs, runLabel, sourceText, statusText } from './format';

/** Long tooltips are unreadable and slow to render; show this many entries per section. */
export const TOOLTIP_MAX_ENTRIES = 20;
const MAX_VALUE_CHARS = 80;

export function runTooltipMarkdown(run: RunDetail, nowMs: number): string {
  const lines: string[] = [];
  lines.push(`**${escapeMarkdown(runLabel(run))}** — ${statusText(run.status)}`);
  lines.push('');
  const facts: string[] = [];
  facts.push(`Experiment: ${escapeMarkdown(run.experiment)}`);
  facts.push(`Run ID: \`${run.id.replace(/`/g, '')}\``);
  if (run.startMs !== null) facts.push(`Started: ${new Date(run.startMs).toISOString().replace('T', ' ').slice(0, 19)} UTC`);
  const duration = runDurationMs(run, nowMs);
  if (duration !== undefined) facts.push(`Duration: ${formatDuration(duration)}${run.status === 'RUNNING' ? ' so far' : ''}`);
  const source = sourceText(run.source);
  if (source) facts.push(`Source: ${escapeMarkdown(source)}`);
  if (run.git.commit) {
    const dirty = run.git.dirty ? ' (uncommitted changes)' : '';
    const branch = run.git.branch ? ` on ${escapeMarkdown(run.git.branch)}` : '';
    facts.push(`Git: \`${run.git.commit.slice(0, 12).replace(/`/g, '')}\`${branch}${dirty}`);
  }
  if (run.user) facts.push(`User: ${escapeMarkdown(run.user)}`);
  // Two trailing spaces make Markdown line breaks without a list's indentation.
  lines.push(facts.join('  \n'));
  appendSection(lines, 'Metrics', Object.entries(run.metrics).map(([key, m]) => [key, formatMetricValue(m.value)]));
  appendSection(lines, 'Params', Object.entries(run.params));
  const userTags = Object.entries(run.tags).filter(([key]) => !key.startsWith('mlflow.'));
  appendSection(lines, 'Tags', userTags);
  return lines.join('\n');
}

function appendSection(lines: string[], title: string, entries: Array<[string, string]>): void {
  if (entries.length === 0) return;
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  lines.push('', `**${title}**`, '');
  for (const [key, value] of entries.slice(0, TOOLTIP_MAX_ENTRIES)) {
    lines.push(`- ${escapeMarkdown(key)}: ${escapeMarkdown(truncate(value, MAX_VALUE_CHARS))}`);
  }
  if (entries.length > TOOLTIP_MAX_ENTRIES) lines.push(`- … ${entries.length - TOOLTIP_MAX_ENTRIES} more`);
}

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** Escapes characters Markdown would interpret, so names and values show as typed. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~$&]/g, (ch) => `\\${ch}`);
}
