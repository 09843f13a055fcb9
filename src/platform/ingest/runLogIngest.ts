// Ingests one `.modelcloud/runs/<run>.jsonl` run log incrementally: from the byte offset saved
// (with the data, in one transaction) last time, a chunk at a time.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { hostname } from 'node:os';
import { createHash } from 'node:crypto';
import { parseRunLogChunk, metricValueFromJson } from '../../core/ingest/runLogParser';
import type { IngestBatch } from '../store/trackingStore.api';
import { readCompleteLines, headHash, headLength } from './lineChunks';
import { IngestContext, parseCursor } from './ingestContext';

interface RunLogCursor {
  offset: number;
  /** Number of the next line to read (1-based). */
  line: number;
  runId: string;
  /** headHash of the first headLength(offset) bytes. */
  head: string;
  pid: number | null;
  host: string | null;
  ended: boolean;
  lastTs: number | null;
}

const RUN_ID = /^[0-9a-f]{32}$/;

export async function ingestRunLog(ctx: IngestContext, path: string): Promise<void> {
  const source = ctx.rel(path);
  const cursorKey = `runlog:${source}`;
  let info;
  try {
    info = await stat(path);
  } catch {
    return; // deleted between listing and reading: its rows stay, nothing new to read
  }
  const saved = parseCursor<RunLogCursor>(ctx.cursor(cursorKey));
  let state: RunLogCursor = {
    offset: 0, line: 1, runId: '', head: '', pid: null, host: null, ended: false, lastTs: null,
  };
  let resetRuns: string[] | undefined;
  if (saved && typeof saved.offset === 'number' && typeof saved.runId === 'string' && saved.runId !== '') {
    const replaced = info.size < saved.offset || await headHash(path, headLength(saved.offset)) !== saved.head;
    if (replaced) {
      ctx.log(`${source} shrank or was replaced: reading it again from the start`);
      resetRuns = [saved.runId];
    } else {
      state = { ...state, ...saved } as RunLogCursor;
    }
  }

  if (info.size > state.offset) {
    await readCompleteLines(path, state.offset, async (chunk) => {
      const batch: IngestBatch = { resetRuns, runs: [], params: [], tags: [], metricColumns: [], artifacts: [], statuses: [] };
      resetRuns = undefined;
      if (chunk.text === '') {
        ctx.problem(source, 'line longer than 64 MB skipped; it is not a run-log event', state.line);
        state.line++;
      } else {
        const parsed = parseRunLogChunk(chunk.text, state.line);
        for (const p of parsed.problems) ctx.problem(source, p.message, p.line);
        for (const { line, event } of parsed.events) {
          if (state.runId === '' && event.t !== 'run_start') adoptRunFromFileName(ctx, path, source, line, event.ts, state, batch);
          switch (event.t) {
            case 'run_start':
              if (state.runId !== '') {
                ctx.problem(source, `second run_start (for run ${event.run}) ignored: one run log holds one run`, line);
                break;
              }
              state.runId = event.run;
              if (basename(path, '.jsonl') !== event.run) {
                ctx.problem(source, `run_start names run ${event.run} but the file is named ${basename(path)}; using ${event.run}`, line);
              }
              state.pid = event.pid ?? null;
              state.host = event.host ?? null;
              batch.runs!.push({
                id: event.run, experiment: event.experiment, name: event.name, status: 'RUNNING', startMs: event.ts,
                user: event.user ?? null, origin: 'modelcloud', source: event.source ?? { kind: 'unknown' },
                git: event.git ?? {}, pythonVersion: event.python ?? null, host: event.host ?? null,
                pid: event.pid ?? null, pipHash: event.pip_hash ?? null,
              });
              for (const [key, value] of Object.entries(event.tags ?? {})) batch.tags!.push({ runId: event.run, key, value });
              break;
            case 'params':
              for (const [key, value] of Object.entries(event.params)) batch.params!.push({ runId: state.runId, key, value });
              break;
            case 'tags':
              for (const [key, value] of Object.entries(event.tags)) batch.tags!.push({ runId: state.runId, key, value });
              break;
            case 'metrics': {
              // Hand the parsed columns over as they are; only the rare "NaN"/"Infinity" strings become numbers.
              const values = event.values;
              for (let i = 0; i < values.length; i++) if (typeof values[i] === 'string') values[i] = metricValueFromJson(values[i]);
              batch.metricColumns!.push({
                runId: state.runId, keys: event.keys, values: values as number[], steps: event.steps, times: event.times,
              });
              break;
            }
            case 'artifact':
              batch.artifacts!.push({ runId: state.runId, path: event.path, size: event.size, sha256: event.sha256 });
              break;
            case 'model':
              if (event.register) {
                (batch.modelRegistrations ??= []).push({
                  runId: state.runId, name: event.name, path: event.path, files: event.files, flavor: event.flavor,
                  signature: event.signature, alias: event.alias, ms: event.ts,
                });
              }
              break;
            case 'run_end':
              batch.statuses!.push({ runId: state.runId, status: event.status, endMs: event.ts });
              state.ended = true;
              break;
          }
          state.lastTs = event.ts;
        }
        state.line += parsed.lines;
      }
      state.offset = chunk.end;
      state.head = await headHash(path, headLength(state.offset));
      batch.cursors = [{ source: cursorKey, cursor: JSON.stringify(state) }];
      ctx.apply(batch);
    });
  }
  markKilledIfProcessDied(ctx, source, cursorKey, state);
}

/** Events before any run_start: keep them, under a run named after the file, in "Default". */
function adoptRunFromFileName(
  ctx: IngestContext, path: string, source: string, line: number, ts: number, state: RunLogCursor, batch: IngestBatch,
): void {
  const stem = basename(path, '.jsonl');
  state.runId = RUN_ID.test(stem) ? stem : createHash('sha256').update(`runlog:${source}`).digest('hex').slice(0, 32);
  ctx.problem(source, `no run_start event before line ${line}: created run "${stem}" in experiment "Default". ` +
    'The first line of a run log must be a run_start event (see README.md, "Run log format").', line);
  batch.runs!.push({ id: state.runId, experiment: 'Default', name: stem, status: 'RUNNING', startMs: ts, origin: 'modelcloud' });
}

/** A RUNNING run whose logging process (on this host) is gone and never wrote run_end was killed. */
function markKilledIfProcessDied(ctx: IngestContext, source: string, cursorKey: string, state: RunLogCursor): void {
  if (state.ended || state.runId === '' || state.pid === null || state.host !== hostname()) return;
  if (processAlive(state.pid)) return;
  state.ended = true;
  ctx.log(`${source}: process ${state.pid} ended without run_end; marking run ${state.runId} KILLED`);
  ctx.apply({
    statuses: [{ runId: state.runId, status: 'KILLED', endMs: state.lastTs }],
    cursors: [{ source: cursorKey, cursor: JSON.stringify(state) }],
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
