// `modelcloud stage NAME VERSION STAGE [--archive-existing] [--reason TEXT]` and `modelcloud alias NAME VERSION ALIAS`.
import { userInfo } from 'node:os';
import { parseStage } from '../../core/registry/stages';
import type { Subcommand } from './registry';
import { parseFlags, usageError } from './services';
import { withRegistry, versionArg } from './models';

export const stageCommand: Subcommand = {
  usage: [
    'stage NAME VERSION STAGE [--archive-existing] [--reason TEXT]',
    '                                   move a version to None|Staging|Production|Archived (recorded with',
    '                                   user, time and reason); --archive-existing archives the previous holders',
  ],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { values: ['--reason'], switches: ['--archive-existing', '--json'] });
    if (!parsed.ok) return usageError(io, 'stage', parsed.error);
    const [name, versionText, stageText, ...extra] = parsed.positional;
    if (stageText === undefined || extra.length) return usageError(io, 'stage', 'usage: modelcloud stage NAME VERSION STAGE');
    const version = versionArg(versionText);
    if (version === undefined) return usageError(io, 'stage', `VERSION must be a version number (1, 2, ...), got '${versionText}'`);
    let stage;
    try { stage = parseStage(stageText); } catch (error) { return usageError(io, 'stage', (error as Error).message); }
    return withRegistry(ctx, io, (registry) => {
      const changes = registry.transitionStage(name, version, stage, {
        archiveExisting: parsed.flags.has('--archive-existing'), user: currentUser(), reason: (parsed.flags.get('--reason') as string | undefined) ?? null,
      });
      if (parsed.flags.has('--json')) { io.out(`${JSON.stringify(changes, null, 2)}\n`); return 0; }
      for (const c of changes) io.out(`${name} version ${c.version}: ${c.from} → ${c.to}\n`);
      return 0;
    });
  },
};

export const aliasCommand: Subcommand = {
  usage: ['alias NAME VERSION ALIAS           point an alias (champion, challenger, ...) at a version'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { switches: [] });
    if (!parsed.ok) return usageError(io, 'alias', parsed.error);
    const [name, versionText, alias, ...extra] = parsed.positional;
    if (alias === undefined || extra.length) return usageError(io, 'alias', 'usage: modelcloud alias NAME VERSION ALIAS');
    const version = versionArg(versionText);
    if (version === undefined) return usageError(io, 'alias', `VERSION must be a version number (1, 2, ...), got '${versionText}'`);
    return withRegistry(ctx, io, (registry) => {
      registry.setAlias(name, version, alias);
      io.out(`models:/${name}@${alias} → version ${version}\n`);
      return 0;
    });
  },
};

function currentUser(): string | null {
  try { return userInfo().username; } catch { return process.env.USER ?? null; }
}
