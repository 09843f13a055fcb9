// `modelcloud status [--json]` (every deployed service) and `modelcloud revisions SERVICE [--json]`.
import { formatTable, formatTime } from '../../core/cli/table';
import type { Subcommand } from './registry';
import { parseFlags, usageError, withManager } from './services';

export const statusCommand: Subcommand = {
  usage: ['status [--json]                    deployed services: state, URL, revision, model version'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { switches: ['--json'] });
    if (!parsed.ok) return usageError(io, 'status', parsed.error);
    if (parsed.positional.length) return usageError(io, 'status', `status takes no arguments, got '${parsed.positional[0]}'`);
    return withManager(ctx, io, async (m) => {
      const services = await m.list();
      if (parsed.flags.has('--json')) { io.out(`${JSON.stringify(services, null, 2)}\n`); return 0; }
      if (!services.length) { io.out("No deployed services. Deploy one with 'modelcloud deploy DIR'.\n"); return 0; }
      io.out(`${formatTable(['SERVICE', 'TARGET', 'STATE', 'REVISION', 'URL', 'MODEL VERSION', 'WORKERS'], services.map((s) => [
        s.name, s.target, s.state, s.revision === undefined ? '-' : String(s.revision), s.url ?? '-', s.modelVersion ?? '-',
        s.workers === undefined ? '-' : String(s.workers),
      ]), [3, 6])}\n`);
      for (const s of services) if (s.lastError) io.out(`  ${s.name}: ${s.lastError}\n`);
      return 0;
    });
  },
};

export const revisionsCommand: Subcommand = {
  usage: ['revisions SERVICE [--json]         a service\'s revisions, newest first (rollback targets)'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { switches: ['--json'] });
    if (!parsed.ok) return usageError(io, 'revisions', parsed.error);
    if (parsed.positional.length !== 1) return usageError(io, 'revisions', 'name one service: modelcloud revisions SERVICE');
    return withManager(ctx, io, async (m) => {
      const revisions = await m.revisions(parsed.positional[0]);
      if (parsed.flags.has('--json')) { io.out(`${JSON.stringify(revisions, null, 2)}\n`); return 0; }
      if (!revisions.length) { io.out(`No revisions of ${parsed.positional[0]}.\n`); return 0; }
      io.out(`${formatTable(['REVISION', 'STATUS', 'TARGET', 'CREATED (UTC)', 'MODEL VERSION', 'DIGEST', 'REASON'], revisions.map((r) => [
        String(r.revision), r.status, r.target, formatTime(r.createdAt), r.modelVersion ?? '-', r.digest.slice(0, 19), (r.reason ?? '').split('\n')[0].slice(0, 80),
      ]), [0])}\n`);
      return 0;
    });
  },
};
