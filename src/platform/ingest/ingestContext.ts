// What every ingest reader shares: the store, the workspace root, the log, and the tally that
// becomes the IngestReport.
import { isAbsolute, relative, sep } from 'node:path';
import type { IngestProblem } from '../../core/tracking/types';
import type { TrackingStore, IngestBatch } from '../store/trackingStore.api';

export class IngestContext {
  readonly problems: IngestProblem[] = [];
  readonly runsTouched = new Set<string>();
  metricPoints = 0;
  /** Cursor text each source had when this ingest read it: the compare-and-set expectation. */
  private readonly cursorsSeen = new Map<string, string | null>();
  /** Problems not yet saved: they ride along with the next batch (same transaction as the data). */
  private pending: IngestProblem[] = [];

  constructor(readonly store: TrackingStore, readonly root: string, readonly log: (line: string) => void) {}

  /** Workspace-relative path with '/' separators: how sources are named in cursors and problems. */
  rel(path: string): string {
    const r = relative(this.root, path);
    // Outside the workspace (a --store elsewhere): the absolute path says more than ../../
    if (r.startsWith('..') || isAbsolute(r)) return path.split(sep).join('/');
    return (r === '' ? '.' : r).split(sep).join('/');
  }

  problem(source: string, message: string, line?: number): IngestProblem {
    const problem: IngestProblem = line === undefined ? { source, message } : { source, line, message };
    this.problems.push(problem);
    this.pending.push(problem);
    this.log(`problem: ${source}${line === undefined ? '' : `:${line}`}: ${message}`);
    return problem;
  }

  /** A source's saved cursor; remembered so the batch that advances it fails if someone else moved it meanwhile. */
  cursor(source: string): string | undefined {
    const text = this.store.getCursor(source);
    this.cursorsSeen.set(source, text ?? null);
    return text;
  }

  /**
   * Applies one batch (one transaction) and counts what it touched. Throws CursorConflictError,
   * writing nothing, when another process advanced one of the batch's cursors first.
   */
  apply(batch: IngestBatch): void {
    const problems = this.pending;
    const cursors = batch.cursors?.map((c) => this.cursorsSeen.has(c.source) ? { ...c, expected: this.cursorsSeen.get(c.source) } : c);
    this.store.apply({ ...batch, cursors, problems: problems.length > 0 ? [...(batch.problems ?? []), ...problems] : batch.problems });
    for (const c of batch.cursors ?? []) this.cursorsSeen.set(c.source, c.cursor);
    this.pending = [];
    for (const run of batch.runs ?? []) this.runsTouched.add(run.id);
    for (const s of batch.statuses ?? []) this.runsTouched.add(s.runId);
    if (batch.metrics && batch.metrics.length > 0) {
      this.metricPoints += batch.metrics.length;
      let last = '';
      for (const m of batch.metrics) if (m.runId !== last) this.runsTouched.add(last = m.runId);
    }
    for (const t of batch.metricColumns ?? []) {
      this.metricPoints += t.keys.length;
      this.runsTouched.add(t.runId);
    }
    for (const p of batch.params ?? []) this.runsTouched.add(p.runId);
  }

  /** Saves problems no batch carried yet. */
  flush(): void {
    if (this.pending.length > 0) this.apply({});
  }
}

/** Parses a cursor we wrote earlier; anything unreadable counts as "no cursor" (read from the start). */
export function parseCursor<T extends object>(text: string | undefined): Partial<T> | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? value as Partial<T> : undefined;
  } catch {
    return undefined;
  }
}
