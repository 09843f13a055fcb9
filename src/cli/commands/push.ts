// `modelcloud push models:/NAME/N --remote R` (the version from the local registry) or
// `modelcloud push --manifest FILE --remote R`: upload the blobs the remote lacks, then the
// version manifest (create-only: a different manifest already there is a conflict).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseVersionManifest, type VersionManifest } from '../../core/remote/manifest';
import { RegistryStore } from '../../platform/registry/registryStore';
import { pushVersion } from '../../platform/remote/push';
import { getRemote } from '../../platform/remote/remotesConfig';
import { connectRemote } from '../../platform/remote/s3Remote';
import { TRACKING_DB } from '../runCli';
import type { Subcommand } from './registry';
import { parseFlags, usageError } from './services';
import { progressPrinter, withInterrupt } from './transferProgress';

export const pushCommand: Subcommand = {
  usage: ['push models:/NAME/N|--manifest FILE --remote R [--json]   upload a model version to a remote (resumable)'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { values: ['--remote', '--manifest'], switches: ['--json'] });
    if (!parsed.ok) return usageError(io, 'push', parsed.error);
    const remoteName = parsed.flags.get('--remote');
    const manifestFile = parsed.flags.get('--manifest');
    if (typeof remoteName !== 'string') return usageError(io, 'push', 'name the remote with --remote NAME (see modelcloud remote list)');
    if ((parsed.positional.length === 1) === (typeof manifestFile === 'string')) {
      return usageError(io, 'push', 'give either a model URI (models:/NAME/N) or --manifest FILE');
    }
    try {
      let manifest: VersionManifest;
      if (typeof manifestFile === 'string') {
        const path = resolve(io.cwd, manifestFile);
        manifest = parseVersionManifest(readFileSync(path, 'utf8'), path);
      } else {
        const registry = new RegistryStore(join(ctx.storeDir, TRACKING_DB));
        try { manifest = registry.resolve(parsed.positional[0]); } finally { registry.close(); }
      }
      const remote = connectRemote(getRemote(ctx.storeDir, remoteName));
      const result = await withInterrupt((signal) => pushVersion(remote, manifest, ctx.storeDir, { signal, onProgress: progressPrinter(io, 'pushed') }));
      if (parsed.flags.has('--json')) io.out(`${JSON.stringify(result, null, 2)}\n`);
      else {
        io.out(`${result.uri} → ${remote.config.url}: ${result.blobsUploaded} blob(s) uploaded (${(result.bytesSent / 1e6).toFixed(1)} MB), ` +
          `${result.blobsAlreadyRemote} already there${result.partsResumed ? `, ${result.partsResumed} part(s) resumed` : ''}, manifest ${result.manifest}\n`);
      }
      return 0;
    } catch (error) {
      io.err(`modelcloud push: ${(error as Error).message}\n`);
      return 1;
    }
  },
};
