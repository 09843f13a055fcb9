// `modelcloud register --run ID --artifact PATH --name NAME [--alias A] [--description TEXT]`:
// a new version from a run's logged artifact (a file, or a folder prefix such as "model").
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteTrackingStore } from '../../platform/store/sqliteTrackingStore';
import type { ModelFile, ModelFlavor } from '../../platform/registry/registryStore';
import type { ArtifactRecord } from '../../core/tracking/types';
import type { Subcommand } from './registry';
import { parseFlags, usageError } from './services';
import { withRegistry } from './models';
import { localBlobPath } from '../../platform/remote/localBlobs';

export const registerCommand: Subcommand = {
  usage: [
    'register --run ID --artifact PATH --name NAME [--alias ALIAS] [--description TEXT] [--json]',
    '                                   register a run\'s artifact file or folder as the next version of NAME',
  ],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { values: ['--run', '--artifact', '--name', '--alias', '--description'], switches: ['--json'] });
    if (!parsed.ok) return usageError(io, 'register', parsed.error);
    if (parsed.positional.length) return usageError(io, 'register', `unexpected argument '${parsed.positional[0]}'`);
    const runId = parsed.flags.get('--run') as string | undefined;
    const artifact = (parsed.flags.get('--artifact') as string | undefined)?.replace(/^\/+|\/+$/g, '');
    const name = parsed.flags.get('--name') as string | undefined;
    if (!runId || !artifact || !name) return usageError(io, 'register', 'needs --run ID, --artifact PATH and --name NAME');
    return withRegistry(ctx, io, (registry, dbPath) => {
      const tracking = new SqliteTrackingStore(dbPath);
      let artifacts: ArtifactRecord[];
      try {
        const run = tracking.getRun(runId);
        if (!run) {
          io.err(`modelcloud: no run ${runId} in ${dbPath}; check the id ('modelcloud runs' lists them) or run 'modelcloud ingest' first\n`);
          return 1;
        }
        artifacts = run.artifacts;
      } finally {
        tracking.close();
      }
      const files = filesUnder(artifacts, artifact);
      if (!files.length) {
        io.err(`modelcloud: run ${runId} has no artifact '${artifact}' or artifacts under '${artifact}/' ` +
          `(it has: ${artifacts.map((a) => a.path).join(', ') || 'none'})\n`);
        return 1;
      }
      const missing = files.filter((f) => !existsSync(localBlobPath(ctx.storeDir, f.sha256)));
      for (const f of missing) io.err(`modelcloud: warning: the blob of ${f.path} (sha256 ${f.sha256}) is not in ${join(ctx.storeDir, 'artifacts')}; pull it before serving this version\n`);
      const version = registry.createVersion(name, {
        runId, files, flavor: flavorOf(files), source: `runs:/${runId}/${artifact}`,
        description: (parsed.flags.get('--description') as string | undefined) ?? null,
      });
      const alias = parsed.flags.get('--alias') as string | undefined;
      if (alias) registry.setAlias(name, version.version, alias);
      const manifest = registry.resolve({ name, kind: 'version', version: version.version });
      if (parsed.flags.has('--json')) { io.out(`${JSON.stringify(manifest, null, 2)}\n`); return 0; }
      io.out(`registered ${name} version ${version.version} (${files.length} file(s)) from run ${runId}: models:/${name}/${version.version}\n`);
      return 0;
    });
  },
};

/** The artifact itself (path = its base name), or every artifact under the folder (paths relative to it). */
export function filesUnder(artifacts: readonly ArtifactRecord[], path: string): ModelFile[] {
  const exact = artifacts.find((a) => a.path === path);
  if (exact) return [{ path: path.slice(path.lastIndexOf('/') + 1), sha256: exact.sha256, size: exact.size }];
  const prefix = `${path}/`;
  return artifacts.filter((a) => a.path.startsWith(prefix))
    .map((a) => ({ path: a.path.slice(prefix.length), sha256: a.sha256, size: a.size }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

function flavorOf(files: readonly ModelFile[]): ModelFlavor {
  if (files.some((f) => /\.joblib$/i.test(f.path))) return 'joblib';
  if (files.some((f) => /\.(pkl|pickle)$/i.test(f.path))) return 'pickle';
  return 'file';
}
