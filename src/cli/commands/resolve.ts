// `modelcloud resolve URI [--json]`: the version manifest a models:/ URI names.
import { parseModelUri, ModelUriError } from '../../core/registry/uri';
import type { Subcommand } from './registry';
import { parseFlags, usageError } from './services';
import { withRegistry } from './models';

export const resolveCommand: Subcommand = {
  usage: ['resolve URI [--json]               the version a models:/NAME/3, models:/NAME@alias or models:/NAME/Production names'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { switches: ['--json'] });
    if (!parsed.ok) return usageError(io, 'resolve', parsed.error);
    if (parsed.positional.length !== 1) return usageError(io, 'resolve', 'name one model URI: modelcloud resolve models:/NAME@ALIAS');
    let ref;
    try { ref = parseModelUri(parsed.positional[0]); } catch (error) {
      if (error instanceof ModelUriError) return usageError(io, 'resolve', error.message);
      throw error;
    }
    return withRegistry(ctx, io, (registry) => {
      const manifest = registry.resolve(ref);
      if (parsed.flags.has('--json')) { io.out(`${JSON.stringify(manifest, null, 2)}\n`); return 0; }
      io.out(`${parsed.positional[0]} → ${manifest.name} version ${manifest.version} (${manifest.stage}` +
        `${manifest.aliases.length ? `, @${manifest.aliases.join(' @')}` : ''}), run ${manifest.runId ?? '-'}\n`);
      for (const f of manifest.files) io.out(`  ${f.path}  ${f.size} bytes  sha256 ${f.sha256}\n`);
      return 0;
    });
  },
};
