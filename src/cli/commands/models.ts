// `modelcloud models [--json]`: registered models and their versions. Also the helpers the other
// registry commands (register, stage, alias, resolve, select) share.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatTable, formatTime } from '../../core/cli/table';
import { ModelUriError } from '../../core/registry/uri';
import { VersionRangeError } from '../../core/registry/versionRange';
import { RegistryStore, RegistryError } from '../../platform/registry/registryStore';
import type { CliIo } from '../runCli';
import type { Subcommand, SubcommandContext } from './registry';
import { parseFlags, usageError } from './services';

export const modelsCommand: Subcommand = {
  usage: ['models [--json]                    registered models: versions, stages, aliases, source runs'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { switches: ['--json'] });
    if (!parsed.ok) return usageError(io, 'models', parsed.error);
    if (parsed.positional.length) return usageError(io, 'models', `models takes no arguments, got '${parsed.positional[0]}'`);
    return withRegistry(ctx, io, (registry) => {
      const models = registry.listModels();
      if (parsed.flags.has('--json')) { io.out(`${JSON.stringify(models, null, 2)}\n`); return 0; }
      if (!models.length) { io.out("No registered models. Register one with 'modelcloud register --run ID --artifact PATH --name NAME'.\n"); return 0; }
      io.out(`${formatTable(['MODEL', 'VERSION', 'STAGE', 'ALIASES', 'RUN', 'FILES', 'CREATED (UTC)'], models.flatMap((m) => m.versions.map((v) => [
        m.name, String(v.version), v.stage, v.aliases.map((a) => `@${a}`).join(' ') || '-', v.runId ?? '-', String(v.files.length),
        v.createdMs ? formatTime(v.createdMs) : '-',
      ])), [1, 5])}\n`);
      return 0;
    });
  },
};

/** The tracking database of the store folder; exit 1 with a hint when there is none. */
export function trackingDbOf(ctx: SubcommandContext, io: CliIo): string | undefined {
  const path = join(ctx.storeDir, 'tracking.db');
  if (!existsSync(path)) {
    io.err(`modelcloud: no tracking store at ${path}; run 'modelcloud ingest' first, or pass --store DIR\n`);
    return undefined;
  }
  return path;
}

/** Runs fn with the registry open; registry, URI and range errors print their message and exit 1. */
export async function withRegistry(ctx: SubcommandContext, io: CliIo, fn: (registry: RegistryStore, dbPath: string) => number | Promise<number>): Promise<number> {
  const path = trackingDbOf(ctx, io);
  if (!path) return 1;
  let registry: RegistryStore | undefined;
  try {
    registry = new RegistryStore(path);
    return await fn(registry, path);
  } catch (error) {
    if (error instanceof RegistryError || error instanceof ModelUriError || error instanceof VersionRangeError) {
      io.err(`modelcloud: ${error.message}\n`);
      return 1;
    }
    io.err(`modelcloud: ${(error as Error).message}\n`);
    return 1;
  } finally {
    registry?.close();
  }
}

/** A version number argument, or undefined after printing a usage error. */
export function versionArg(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) && Number(text) >= 1 ? Number(text) : undefined;
}
