// `modelcloud deploy [DIR] --target local|container|kubernetes [--port P] [--workers N] [--model URI] [--name NAME] [--auto-rollback[=RATE]]`
import { resolve } from 'node:path';
import type { DeployTarget } from '../../platform/deploy/serviceManager.api';
import type { DeployRequestWithPolicy } from '../../platform/deploy/createServiceManager';
import type { Subcommand } from './registry';
import { intFlag, parseFlags, usageError, withManager } from './services';

export const deployCommand: Subcommand = {
  usage: [
    'deploy [DIR] [--target local|container|kubernetes] [--port P] [--workers N] [--model URI] [--name NAME] [--auto-rollback[=RATE]] [--json]',
    '                                   deploy the service in DIR (default .) as a new revision; traffic moves',
    '                                   to it only after /readyz passes (default target: local). --model serves',
    '                                   another registry model than the manifest\'s model: (e.g. models:/wine/3),',
    '                                   --name deploys it as a separate service (one folder, several versions)',
  ],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { values: ['--target', '--port', '--workers', '--model', '--name'], switches: ['--json', '--auto-rollback?', '--no-auto-rollback'] });
    if (!parsed.ok) return usageError(io, 'deploy', parsed.error);
    const { flags, positional } = parsed;
    if (positional.length > 1) return usageError(io, 'deploy', `deploy takes one folder, got ${positional.length}`);
    const target = (flags.get('--target') ?? 'local') as string;
    if (!['local', 'container', 'kubernetes'].includes(target)) {
      return usageError(io, 'deploy', `--target must be local, container or kubernetes, got '${target}'`);
    }
    const port = intFlag(flags, '--port', 0, 65535);
    if (typeof port === 'string') return usageError(io, 'deploy', port);
    const workers = intFlag(flags, '--workers', 1, 64);
    if (typeof workers === 'string') return usageError(io, 'deploy', workers);
    let autoRollback: DeployRequestWithPolicy['autoRollback'];
    const auto = flags.get('--auto-rollback');
    if (auto === true) autoRollback = true;
    else if (typeof auto === 'string') {
      const rate = Number(auto.endsWith('%') ? Number(auto.slice(0, -1)) / 100 : auto);
      if (!(rate > 0 && rate <= 1)) return usageError(io, 'deploy', `--auto-rollback=RATE needs an error rate in (0, 1] or a percentage, got '${auto}'`);
      autoRollback = { threshold: rate };
    }
    if (flags.has('--no-auto-rollback')) autoRollback = false;
    const json = flags.has('--json');
    const request: DeployRequestWithPolicy = {
      dir: resolve(io.cwd, positional[0] ?? '.'), target: target as DeployTarget, port, workers, autoRollback,
      ...(typeof flags.get('--model') === 'string' ? { model: flags.get('--model') as string } : {}),
      ...(typeof flags.get('--name') === 'string' ? { name: flags.get('--name') as string } : {}),
    };
    return withManager(ctx, io, async (m) => {
      const result = await m.deploy(request, (message) => { if (!json) io.out(`  ${message}\n`); });
      if (json) io.out(`${JSON.stringify(result, null, 2)}\n`);
      else if (result.url) io.out(`deployed ${result.service} revision ${result.revision} at ${result.url}\n`);
      else io.out(`deployed ${result.service} revision ${result.revision}${result.manifestsDir ? `: manifests in ${result.manifestsDir}` : ''}\n`);
      return 0;
    });
  },
};
