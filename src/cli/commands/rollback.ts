// `modelcloud rollback SERVICE [--to REV]`: health-gated switch back to an earlier revision.
import type { Subcommand } from './registry';
import { intFlag, parseFlags, usageError, withManager } from './services';

export const rollbackCommand: Subcommand = {
  usage: ['rollback SERVICE [--to REV]        go back to the previous working revision (or REV), health-gated'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { values: ['--to'], switches: ['--json'] });
    if (!parsed.ok) return usageError(io, 'rollback', parsed.error);
    if (parsed.positional.length !== 1) return usageError(io, 'rollback', 'name one service: modelcloud rollback SERVICE [--to REV]');
    const to = intFlag(parsed.flags, '--to', 1, Number.MAX_SAFE_INTEGER);
    if (typeof to === 'string') return usageError(io, 'rollback', to);
    const json = parsed.flags.has('--json');
    return withManager(ctx, io, async (m) => {
      const result = await m.rollback(parsed.positional[0], to, (message) => { if (!json) io.out(`  ${message}\n`); });
      if (json) io.out(`${JSON.stringify(result, null, 2)}\n`);
      else io.out(`${result.service} is back on revision ${result.revision}${result.url ? ` at ${result.url}` : ''}\n`);
      return 0;
    });
  },
};
