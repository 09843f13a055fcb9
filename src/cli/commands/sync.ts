// `modelcloud sync --remote R [--json] [--no-ingest]`: shares run logs and the model registry with
// the team through the remote (README "Team sync"), then ingests the run logs it downloaded so
// `modelcloud runs` shows them at once. Conflicts are resolved by the documented rules and listed;
// they do not make the exit code non-zero (nothing is left to do about them but read them).
import { join } from 'node:path';
import { formatSyncReport } from '../../core/sync/report';
import { WorkspaceIngest } from '../../platform/ingest/workspaceIngest';
import { SqliteTrackingStore } from '../../platform/store/sqliteTrackingStore';
import { syncWithRemote } from '../../platform/sync/syncWithRemote';
import { TRACKING_DB } from '../runCli';
import type { Subcommand } from './registry';
import { parseFlags, usageError } from './services';
import { withInterrupt } from './transferProgress';

export const syncCommand: Subcommand = {
  usage: ['sync --remote R [--json] [--no-ingest]   share run logs and the model registry with your team through a remote'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { values: ['--remote'], switches: ['--json', '--no-ingest'] });
    if (!parsed.ok) return usageError(io, 'sync', parsed.error);
    const remoteName = parsed.flags.get('--remote');
    if (typeof remoteName !== 'string') return usageError(io, 'sync', 'name the remote with --remote NAME (see modelcloud remote list)');
    if (parsed.positional.length) return usageError(io, 'sync', `unexpected argument '${parsed.positional[0]}'`);
    const json = parsed.flags.has('--json');
    try {
      const report = await withInterrupt((signal) => syncWithRemote({
        storeDir: ctx.storeDir, remote: remoteName, signal, onStep: json ? undefined : (m) => io.err(`sync: ${m}\n`),
      }));
      let ingested: { runsTouched: number; problems: number } | undefined;
      if (report.runsDownloaded.length && !parsed.flags.has('--no-ingest')) {
        const store = new SqliteTrackingStore(join(ctx.storeDir, TRACKING_DB));
        try {
          const r = await new WorkspaceIngest(store, io.cwd, ctx.storeDir, () => undefined)
            .ingestPaths(report.runsDownloaded.map((id) => join(ctx.storeDir, 'runs', `${id}.jsonl`)));
          ingested = { runsTouched: r.runsTouched, problems: r.problems.length };
        } finally {
          store.close();
        }
      }
      if (json) io.out(`${JSON.stringify({ ...report, ingested }, null, 2)}\n`);
      else {
        io.out(formatSyncReport(report));
        if (ingested) io.out(`  ingested: ${ingested.runsTouched} run(s), ${ingested.problems} problem(s)\n`);
      }
      return 0;
    } catch (error) {
      io.err(`modelcloud sync: ${(error as Error).message}\n`);
      return 1;
    }
  },
};
