// The result of one sync, and the sentences that tell people about its conflicts. Kept as data
// (`.modelcloud/sync/<remote>/last-report.json`) so the UI can show the last sync's conflicts later.
import type { RegisterConflict, WriteSide } from './merge';

export type ConflictEntry =
  | {
    kind: 'register';
    model: string;
    field: RegisterConflict['field'];
    key: string;
    /** 'lost': your write was overwritten; 'won': yours beat a teammate's; 'none': between two teammates. */
    yours: 'won' | 'lost' | 'none';
    winner: WriteSide & { shown: string };
    loser: WriteSide & { shown: string };
    message: string;
  }
  | { kind: 'renumbered'; model: string; from: number; to: number; message: string };

export interface SyncReport {
  remote: string;
  readOnly: boolean;
  client: string;
  user: string;
  startedMs: number;
  durationMs: number;
  runsUploaded: string[];
  runsDownloaded: string[];
  blobsUploaded: number;
  bytesUploaded: number;
  eventsUploaded: number;
  eventsDownloaded: number;
  /** `name/version` of versions that came from teammates. */
  versionsPulled: string[];
  conflicts: ConflictEntry[];
  /** Things skipped (a missing local blob, an unreadable batch): sync went on without them. */
  warnings: string[];
}

/** `HH:MM UTC` of a time, as conflict messages show it. */
export function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/**
 * "alias champion of wine: yours → v3 lost to alice@host → v4 (12:03 UTC)". `show` turns a register
 * value into what people know (a version uid into `v<n>`, a stage as it is, null into "(removed)").
 */
export function describeRegisterConflict(c: RegisterConflict, localClient: string, show: (value: string | null) => string): ConflictEntry {
  const yours = c.loser.client === localClient ? 'lost' : c.winner.client === localClient ? 'won' : 'none';
  const who = (s: WriteSide): string => (s.client === localClient ? 'yours' : s.user);
  const what = c.field === 'alias' ? `alias ${c.key} of ${c.model}`
    : c.field === 'stage' ? `stage of ${c.model} ${show(c.key)}`
      : c.field === 'tag' ? `tag ${c.key} of ${c.model}` : `description of ${c.model}`;
  const winner = { ...c.winner, shown: show(c.winner.value) };
  const loser = { ...c.loser, shown: show(c.loser.value) };
  const message = `${what}: ${who(c.loser)} → ${loser.shown} lost to ${who(c.winner)} → ${winner.shown} at ${clockTime(c.winner.ms)}`;
  return { kind: 'register', model: c.model, field: c.field, key: c.key, yours, winner, loser, message };
}

export function describeRenumber(model: string, from: number, to: number, remote: string): ConflictEntry {
  return {
    kind: 'renumbered', model, from, to,
    message: `${model} v${from} was renumbered to v${to}: a teammate registered v${from} on '${remote}' first; models:/${model}/${from} now names their version`,
  };
}

/** One line per fact, for the CLI and the output channel. */
export function formatSyncReport(r: SyncReport): string {
  const lines = [
    `Synced with '${r.remote}'${r.readOnly ? ' (read-only remote: pulled only, nothing uploaded)' : ''} in ${(r.durationMs / 1000).toFixed(1)} s as ${r.user}`,
    `  runs: ${r.runsUploaded.length} uploaded, ${r.runsDownloaded.length} downloaded`,
    `  registry events: ${r.eventsUploaded} uploaded, ${r.eventsDownloaded} downloaded` +
      `${r.versionsPulled.length ? ` (new versions: ${r.versionsPulled.join(', ')})` : ''}`,
    `  blobs: ${r.blobsUploaded} uploaded (${(r.bytesUploaded / 1e6).toFixed(1)} MB)`,
    `  conflicts: ${r.conflicts.length}`,
    ...r.conflicts.map((c) => `    ${c.message}`),
    ...r.warnings.map((w) => `  warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}
