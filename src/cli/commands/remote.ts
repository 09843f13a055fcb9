// `modelcloud remote add NAME s3://bucket/prefix [--endpoint URL] [--region R] [--read-only]` and
// `modelcloud remote list`: named S3 remotes in <store>/remotes.json (credentials come from the
// AWS default chain, never from that file).
import { loadRemotes, remotesPath, saveRemote, type RemoteConfig } from '../../platform/remote/remotesConfig';
import type { Subcommand } from './registry';
import { parseFlags, usageError } from './services';

export const remoteCommand: Subcommand = {
  usage: [
    'remote add NAME s3://BUCKET/PREFIX [--endpoint URL] [--region R] [--path-style] [--read-only]   add a model remote',
    'remote list [--json]               list model remotes',
  ],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { values: ['--endpoint', '--region'], switches: ['--read-only', '--path-style', '--json'] });
    if (!parsed.ok) return usageError(io, 'remote', parsed.error);
    const [action, ...rest] = parsed.positional;
    try {
      if (action === 'list') {
        const remotes = loadRemotes(ctx.storeDir);
        if (parsed.flags.has('--json')) io.out(`${JSON.stringify(remotes, null, 2)}\n`);
        else if (!remotes.length) io.out(`No remotes in ${remotesPath(ctx.storeDir)}; add one with 'modelcloud remote add NAME s3://bucket/prefix'.\n`);
        else for (const r of remotes) io.out(`${r.name}\t${r.url}${r.endpoint ? `\t${r.endpoint}` : ''}${r.readOnly ? '\t(read-only)' : ''}\n`);
        return 0;
      }
      if (action === 'add') {
        if (rest.length !== 2) return usageError(io, 'remote', 'usage: modelcloud remote add NAME s3://bucket/prefix [--endpoint URL] [--region R] [--read-only]');
        const remote: RemoteConfig = { name: rest[0], url: rest[1] };
        const endpoint = parsed.flags.get('--endpoint');
        const region = parsed.flags.get('--region');
        if (typeof endpoint === 'string') remote.endpoint = endpoint;
        if (typeof region === 'string') remote.region = region;
        if (parsed.flags.has('--path-style')) remote.pathStyle = true;
        if (parsed.flags.has('--read-only')) remote.readOnly = true;
        saveRemote(ctx.storeDir, remote);
        io.out(`Remote '${remote.name}' → ${remote.url}${remote.readOnly ? ' (read-only)' : ''} saved in ${remotesPath(ctx.storeDir)}\n`);
        return 0;
      }
      return usageError(io, 'remote', action === undefined ? 'say add or list' : `unknown action '${action}'; use add or list`);
    } catch (error) {
      io.err(`modelcloud remote: ${(error as Error).message}\n`);
      return 1;
    }
  },
};
