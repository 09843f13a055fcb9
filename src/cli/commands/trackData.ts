// `modelcloud track-data PATH [--name NAME] [--json]`: records a data file's sha256 and size as
// the next version of a dataset (a registered model tagged modelcloud.kind=dataset), its bytes in
// the content-addressed artifact store, so `modelcloud push` moves it like a model. Unchanged
// bytes create nothing. Works in a fresh folder: the store is created when missing.
import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { defaultDatasetName, trackDataFile } from '../../platform/registry/trackDataFile';
import { RegistryStore } from '../../platform/registry/registryStore';
import type { Subcommand } from './registry';
import { parseFlags, usageError } from './services';

export const trackDataCommand: Subcommand = {
  usage: [
    'track-data PATH [--name NAME] [--json]',
    '                                   record a data file (sha256, size, bytes) as the next version of dataset NAME',
  ],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { values: ['--name'], switches: ['--json'] });
    if (!parsed.ok) return usageError(io, 'track-data', parsed.error);
    if (parsed.positional.length !== 1) return usageError(io, 'track-data', 'name one data file: modelcloud track-data PATH [--name NAME]');
    const file = resolve(io.cwd, parsed.positional[0]);
    const name = (parsed.flags.get('--name') as string | undefined) ?? defaultDatasetName(file);
    let registry: RegistryStore | undefined;
    try {
      mkdirSync(ctx.storeDir, { recursive: true });
      registry = new RegistryStore(join(ctx.storeDir, 'tracking.db'));
      const rel = relative(io.cwd, file);
      const result = await trackDataFile(registry, ctx.storeDir, file, name, { source: rel.startsWith('..') ? file : rel });
      const v = result.version;
      if (parsed.flags.has('--json')) {
        io.out(`${JSON.stringify({ name, version: v.version, unchanged: result.unchanged, uri: `models:/${name}/${v.version}`, files: v.files }, null, 2)}\n`);
        return 0;
      }
      const f = v.files[0];
      io.out(result.unchanged
        ? `${parsed.positional[0]} is unchanged, still ${name} v${v.version} (models:/${name}/${v.version})\n`
        : `tracked ${parsed.positional[0]} as ${name} v${v.version}: ${f.size} bytes, sha256 ${f.sha256} (models:/${name}/${v.version})\n`);
      return 0;
    } catch (error) {
      io.err(`modelcloud: ${(error as Error).message}\n`);
      return 1;
    } finally {
      registry?.close();
    }
  },
};
