// The `modelcloud` CLI, callable in-process (tests) or from main.ts. Returns the exit code:
// 0 ok, 1 failed (missing folder, no store, ...), 2 bad usage.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCliArgs, USAGE, USAGE_HINT, type CliCommand } from '../core/cli/args';
import { formatTable, formatMetric, formatTime } from '../core/cli/table';
import { SqliteTrackingStore } from '../platform/store/sqliteTrackingStore';
import { WorkspaceIngest } from '../platform/ingest/workspaceIngest';
import type { RunDetail } from '../core/tracking/types';
import { QuerySyntaxError, formatQueryError } from '../core/query/errors';
import { parseSearchFilter, parseOrderBy } from '../core/query/parser';
import { fieldText, type FieldRef } from '../core/query/ast';
import type { SearchedRun } from '../platform/store/trackingStore.api';
import { SUBCOMMANDS } from './commands/registry';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  version: string;
}

export const TRACKING_DB = 'tracking.db';

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const sub = findSubcommand(argv);
  if (sub) return sub.command.run(sub.rest, io, { storeDir: resolve(io.cwd, sub.store ?? '.modelcloud') });
  const parsed = parseCliArgs(argv);
  if (!parsed.ok) {
    io.err(`modelcloud: ${parsed.error}\n${USAGE_HINT}\n`);
    return 2;
  }
  const command = parsed.command;
  if (command.kind === 'help') { io.out(`${usageWithSubcommands()}\n`); return 0; }
  if (command.kind === 'version') { io.out(`${io.version}\n`); return 0; }
  const storeDir = resolve(io.cwd, command.store ?? '.modelcloud');
  try {
    switch (command.kind) {
      case 'ingest': return await ingest(command, storeDir, io);
      case 'experiments': return withStore(storeDir, io, (store) => experiments(command, store, io));
      case 'runs': return withStore(storeDir, io, (store) => runs(command, store, io));
    }
  } catch (error) {
    if (error instanceof QuerySyntaxError) {
      // Bad usage: the message, then the query with a caret under the offending token.
      const flag = command.kind === 'runs' && command.search?.filter === error.query ? '--filter' : '--order-by';
      const shown = formatQueryError(error).split('\n').map((line) => `  ${line}`).join('\n');
      io.err(`modelcloud: invalid ${flag}: ${error.message}\n${shown}\n`);
      return 2;
    }
    io.err(`modelcloud: ${(error as Error).message}\n`);
    return 1;
  }
}

async function ingest(command: Extract<CliCommand, { kind: 'ingest' }>, storeDir: string, io: CliIo): Promise<number> {
  const root = resolve(io.cwd, command.dir ?? '.');
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    io.err(`modelcloud: folder not found: ${root}; pass an existing folder to ingest\n`);
    return 1;
  }
  const store = new SqliteTrackingStore(join(storeDir, TRACKING_DB));
  try {
    // Problems are printed once, in the summary below; the per-line log stays quiet.
    const report = await new WorkspaceIngest(store, root, storeDir, () => undefined).ingestAll();
    io.out(`Ingested ${root} into ${store.path} (driver ${store.driverName}): ` +
      `${report.runsTouched} run(s) updated, ${report.metricPoints} metric point(s), ` +
      `${report.problems.length} problem(s), ${report.durationMs} ms\n`);
    for (const p of report.problems) io.out(`  problem: ${p.source}${p.line === undefined ? '' : `:${p.line}`}: ${p.message}\n`);
    return 0;
  } finally {
    store.close();
  }
}

function withStore(storeDir: string, io: CliIo, fn: (store: SqliteTrackingStore) => number): number {
  const dbPath = join(storeDir, TRACKING_DB);
  if (!existsSync(dbPath)) {
    io.err(`modelcloud: no tracking store at ${dbPath}; run 'modelcloud ingest' first, or pass --store DIR\n`);
    return 1;
  }
  const store = new SqliteTrackingStore(dbPath);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function experiments(command: Extract<CliCommand, { kind: 'experiments' }>, store: SqliteTrackingStore, io: CliIo): number {
  const list = store.listExperiments();
  if (command.json) {
    io.out(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  if (list.length === 0) { io.out('No experiments yet.\n'); return 0; }
  io.out(`${formatTable(['NAME', 'RUNS', 'RUNNING', 'LAST START (UTC)'],
    list.map((e) => [e.name, String(e.runCount), String(e.runningCount), formatTime(e.lastStartMs)]), [1, 2])}\n`);
  return 0;
}

function runs(command: Extract<CliCommand, { kind: 'runs' }>, store: SqliteTrackingStore, io: CliIo): number {
  if (command.experiment !== undefined && !store.listExperiments().some((e) => e.name === command.experiment)) {
    io.err(`modelcloud: no experiment named '${command.experiment}'; 'modelcloud experiments' lists them\n`);
    return 1;
  }
  if (command.search) return searchRuns(command, command.search, store, io);
  const details = store.listRunDetails({ experiment: command.experiment });
  if (command.json) {
    io.out(`${JSON.stringify(details.map(runJson), null, 2)}\n`);
    return 0;
  }
  if (details.length === 0) { io.out('No runs.\n'); return 0; }
  io.out(`${formatTable(['ID', 'NAME', 'EXPERIMENT', 'STATUS', 'START (UTC)', 'METRIC'], details.map((r) => [
    r.id, r.name, r.experiment, r.status, formatTime(r.startMs),
    r.primaryMetric ? `${r.primaryMetric.key}=${formatMetric(r.primaryMetric.value)}` : '',
  ]))}\n`);
  return 0;
}

/**
 * `runs --filter/--order-by/--limit`: the store's search. The table shows the fields the filter and
 * order mention (so you see why a run matched); --json prints every param, metric and tag.
 */
function searchRuns(
  command: Extract<CliCommand, { kind: 'runs' }>, search: NonNullable<Extract<CliCommand, { kind: 'runs' }>['search']>,
  store: SqliteTrackingStore, io: CliIo,
): number {
  // Parse first: a syntax error is reported before anything else is read.
  const fields = [
    ...parseSearchFilter(search.filter ?? '').conditions.map((c) => c.field),
    ...parseOrderBy(search.orderBy ?? '').map((t) => t.field),
  ];
  const experimentIds = command.experiment === undefined ? undefined
    : store.listExperiments().filter((e) => e.name === command.experiment).map((e) => e.id);
  const shown = uniqueFields(fields.filter((f) => f.entity !== 'attribute'));
  const columns = command.json ? store.listColumnKeys(experimentIds) : {
    params: shown.filter((f) => f.entity === 'param').map((f) => f.key),
    metrics: shown.filter((f) => f.entity === 'metric').map((f) => f.key),
    tags: shown.filter((f) => f.entity === 'tag').map((f) => f.key),
  };
  const result = store.searchRuns({ experimentIds, filter: search.filter, orderBy: search.orderBy, limit: search.limit, columns });
  if (command.json) {
    io.out(`${JSON.stringify(result.runs.map(searchedRunJson), null, 2)}\n`);
    return 0;
  }
  if (result.runs.length === 0) { io.out('No runs match.\n'); return 0; }
  const headers = ['ID', 'NAME', 'EXPERIMENT', 'STATUS', 'START (UTC)', ...shown.map(fieldText)];
  const rows = result.runs.map((r) => [r.id, r.name, r.experiment, r.status, formatTime(r.startMs), ...shown.map((f) => {
    if (f.entity === 'metric') return f.key in r.metrics ? formatMetric(r.metrics[f.key]) : '-';
    const values = f.entity === 'param' ? r.params : r.tags;
    return values[f.key] ?? '-';
  })]);
  const numeric = shown.map((f, i) => (f.entity === 'metric' ? 5 + i : -1)).filter((i) => i >= 0);
  io.out(`${formatTable(headers, rows, numeric)}\n`);
  if (result.total > result.runs.length) io.out(`(${result.runs.length} of ${result.total} matching runs; raise --limit to see more)\n`);
  return 0;
}

function uniqueFields(fields: FieldRef[]): FieldRef[] {
  const seen = new Set<string>();
  return fields.filter((f) => {
    const id = `${f.entity}\u0000${f.key}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function searchedRunJson(run: SearchedRun): object {
  const metrics: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(run.metrics)) metrics[key] = jsonMetric(value);
  return {
    id: run.id, name: run.name, experiment: run.experiment, status: run.status, startMs: run.startMs, endMs: run.endMs,
    params: run.params, metrics, tags: run.tags,
  };
}

function jsonMetric(value: number | null): number | string {
  return value === null ? 'NaN' : Number.isFinite(value) ? value : (value > 0 ? 'Infinity' : '-Infinity');
}

/** Non-finite values follow the run-log convention ("NaN", "Infinity", "-Infinity"): JSON has no such numbers. */
function runJson(run: RunDetail): object {
  const metrics: Record<string, number | string> = {};
  for (const [key, m] of Object.entries(run.metrics)) {
    metrics[key] = m.value === null ? 'NaN' : Number.isFinite(m.value) ? m.value : (m.value > 0 ? 'Infinity' : '-Infinity');
  }
  return {
    id: run.id, name: run.name, experiment: run.experiment, status: run.status, startMs: run.startMs, endMs: run.endMs,
    params: run.params, metrics, tags: run.tags,
  };
}

/** `[--store DIR] NAME ...` where NAME is a registered subcommand. */
function findSubcommand(argv: string[]): { command: (typeof SUBCOMMANDS)[string]; rest: string[]; store?: string } | undefined {
  let i = 0;
  let store: string | undefined;
  if (argv[0] === '--store' && argv.length > 1) { store = argv[1]; i = 2; }
  else if (argv[0]?.startsWith('--store=')) { store = argv[0].slice('--store='.length); i = 1; }
  const name = argv[i];
  const command = name !== undefined && Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  return command ? { command, rest: argv.slice(i + 1), store } : undefined;
}

function usageWithSubcommands(): string {
  const lines = Object.values(SUBCOMMANDS).flatMap((c) => c.usage.map((u) => `  ${u}`));
  if (!lines.length) return USAGE;
  return USAGE.replace('\n\nOptions:', `\n${lines.join('\n')}\n\nOptions:`);
}
