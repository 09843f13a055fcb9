// `modelcloud package DIR [--no-build] [--base-image IMG] [--engine docker|podman] [--out DIR] [--json]`:
// write the build context of a service folder and build its image with the detected engine.
import { resolve } from 'node:path';
import { packageService } from '../../platform/packaging/packageService';
import { ServiceFolderError } from '../../platform/packaging/serviceFolder';
import { ContainerEngineError } from '../../platform/containers/engine';
import type { Subcommand } from './registry';

interface PackageArgs { dir: string; build: boolean; baseImage?: string; engine?: 'docker' | 'podman'; outDir?: string; json: boolean }

export function parsePackageArgs(argv: string[]): { ok: true; args: PackageArgs } | { ok: false; error: string } {
  let dir: string | undefined;
  const args: Omit<PackageArgs, 'dir'> = { build: true, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : (argv[i + 1] !== undefined && !argv[i + 1].startsWith('-') ? argv[++i] : undefined));
    switch (name) {
      case '--no-build': args.build = false; break;
      case '--json': args.json = true; break;
      case '--base-image': {
        const v = value();
        if (!v) return { ok: false, error: '--base-image needs an image: --base-image python:3.11-slim' };
        args.baseImage = v; break;
      }
      case '--out': {
        const v = value();
        if (!v) return { ok: false, error: '--out needs a folder: --out DIR' };
        args.outDir = v; break;
      }
      case '--engine': {
        const v = value();
        if (v !== 'docker' && v !== 'podman') return { ok: false, error: `--engine must be docker or podman, got ${v === undefined ? 'nothing' : `'${v}'`}` };
        args.engine = v; break;
      }
      default:
        if (arg.startsWith('-')) return { ok: false, error: `unknown option ${name} for 'package'` };
        if (dir !== undefined) return { ok: false, error: `'package' takes one service folder, got '${dir}' and '${arg}'` };
        dir = arg;
    }
  }
  if (dir === undefined) return { ok: false, error: "'package' needs the service folder (the one holding cloud_model.py): modelcloud package DIR" };
  return { ok: true, args: { ...args, dir } };
}

export const packageCommand: Subcommand = {
  usage: [
    'package DIR [--no-build] [--base-image IMG]  write the build context of the service in DIR (cloud_model.py,',
    '        [--engine docker|podman] [--out D]  modelcloud.yaml) and build its image; --json prints the result',
    '        [--json]',
  ],
  async run(argv, io) {
    const parsed = parsePackageArgs(argv);
    if (!parsed.ok) {
      io.err(`modelcloud: ${parsed.error}\nRun 'modelcloud --help' for usage.\n`);
      return 2;
    }
    const { args } = parsed;
    try {
      const result = await packageService(resolve(io.cwd, args.dir), {
        build: args.build,
        baseImage: args.baseImage,
        enginePreference: args.engine,
        outDir: args.outDir === undefined ? undefined : resolve(io.cwd, args.outDir),
        onLine: args.json ? undefined : (line) => io.err(`  | ${line}\n`),
      });
      if (args.json) {
        const { dockerfile: _dockerfile, ...rest } = result;
        io.out(`${JSON.stringify(rest, null, 2)}\n`);
      } else {
        for (const w of result.warnings) io.err(`warning: ${w}\n`);
        io.out(`Build context: ${result.contextDir} (sha256 ${result.digest.slice(0, 12)}, base ${result.baseImage})\n`);
        if (result.built) io.out(`Built ${result.imageTag} with ${result.engine} in ${result.buildSeconds?.toFixed(1)} s (${result.imageId})\n`);
        else io.out(`Image not built: ${result.reason}\n`);
      }
      // No engine is not a failure of packaging: the context is the deliverable then.
      return 0;
    } catch (error) {
      if (error instanceof ServiceFolderError || error instanceof ContainerEngineError) {
        io.err(`modelcloud: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  },
};
