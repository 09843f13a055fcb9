// `modelcloud pull models:/NAME/N|@alias|/latest|/STAGE --remote R [--to DIR]`: download a version's
// blobs into the local store (sha256-verified) and optionally write its files under DIR.
import { resolve } from 'node:path';
import { parseModelUri } from '../../core/registry/uri';
import { pullVersion } from '../../platform/remote/pull';
import { resolveRemoteVersion } from '../../platform/remote/remoteAliases';
import { getRemote } from '../../platform/remote/remotesConfig';
import { connectRemote } from '../../platform/remote/s3Remote';
import type { Subcommand } from './registry';
import { parseFlags, usageError } from './services';
import { progressPrinter, withInterrupt } from './transferProgress';

export const pullCommand: Subcommand = {
  usage: ['pull models:/NAME/N --remote R [--to DIR] [--json]   download a model version from a remote'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { values: ['--remote', '--to'], switches: ['--json'] });
    if (!parsed.ok) return usageError(io, 'pull', parsed.error);
    const remoteName = parsed.flags.get('--remote');
    if (typeof remoteName !== 'string') return usageError(io, 'pull', 'name the remote with --remote NAME (see modelcloud remote list)');
    if (parsed.positional.length !== 1) return usageError(io, 'pull', 'name one model version: modelcloud pull models:/NAME/N --remote R');
    const to = parsed.flags.get('--to');
    try {
      const ref = parseModelUri(parsed.positional[0]);
      const remote = connectRemote(getRemote(ctx.storeDir, remoteName));
      const result = await withInterrupt(async (signal) => {
        const version = await resolveRemoteVersion(remote, ref, signal);
        return pullVersion(remote, ref.name, version, ctx.storeDir, {
          signal, onProgress: progressPrinter(io, 'pulled'), to: typeof to === 'string' ? resolve(io.cwd, to) : undefined,
        });
      });
      if (parsed.flags.has('--json')) io.out(`${JSON.stringify(result, null, 2)}\n`);
      else {
        io.out(`models:/${result.manifest.name}/${result.manifest.version} ← ${remote.config.url}: ${result.blobsDownloaded} blob(s) downloaded ` +
          `(${(result.bytesReceived / 1e6).toFixed(1)} MB), ${result.blobsAlreadyLocal} already local` +
          `${result.materialised.length ? `; files in ${resolve(io.cwd, String(to))}` : ''}\n`);
      }
      return 0;
    } catch (error) {
      io.err(`modelcloud pull: ${(error as Error).message}\n`);
      return 1;
    }
  },
};
