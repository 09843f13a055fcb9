// Shared by the deploy commands (deploy, rollback, status, stop, restart, scale): a flag parser,
// the service manager for the --store folder, and the lifecycle commands stop/restart/scale.
import { createServiceManager } from '../../platform/deploy/createServiceManager';
import { DeployError, type ServiceManager } from '../../platform/deploy/serviceManager.api';
import type { CliIo } from '../runCli';
import type { Subcommand, SubcommandContext } from './registry';

export interface FlagSpec {
  /** Flags that take a value. */
  values?: string[];
  /** Flags without a value; a name ending in '?' may also take '=VALUE' inline. */
  switches?: string[];
}

export type ParsedFlags = { ok: true; flags: Map<string, string | true>; positional: string[] } | { ok: false; error: string };

export function parseFlags(argv: string[], spec: FlagSpec): ParsedFlags {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  const switches = new Set((spec.switches ?? []).map((s) => s.replace(/\?$/, '')));
  const inlineOk = new Set((spec.switches ?? []).filter((s) => s.endsWith('?')).map((s) => s.slice(0, -1)));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (!arg.startsWith('--')) { positional.push(arg); continue; }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (spec.values?.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') return { ok: false, error: `${name} needs a value` };
      flags.set(name, value);
    } else if (switches.has(name)) {
      if (inline !== undefined && !inlineOk.has(name)) return { ok: false, error: `${name} takes no value` };
      flags.set(name, inline ?? true);
    } else {
      return { ok: false, error: `unknown option ${name}` };
    }
  }
  return { ok: true, flags, positional };
}

/** A whole number from a flag, or an error message naming the flag. */
export function intFlag(flags: Map<string, string | true>, name: string, min: number, max: number): number | undefined | string {
  const raw = flags.get(name);
  if (raw === undefined) return undefined;
  if (raw === true || !/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    return `${name} needs a whole number from ${min} to ${max}, got '${raw === true ? '' : raw}'`;
  }
  return Number(raw);
}

export function serviceManagerFor(ctx: SubcommandContext): ServiceManager {
  return createServiceManager({ storeDir: ctx.storeDir, python: process.env.MODELCLOUD_PYTHON || 'python3' });
}

/** Runs fn with a manager; DeployErrors print their log excerpt, other errors their message. Exit 1 on failure. */
export async function withManager(ctx: SubcommandContext, io: CliIo, fn: (m: ServiceManager) => Promise<number>): Promise<number> {
  const manager = serviceManagerFor(ctx);
  try {
    return await fn(manager);
  } catch (error) {
    io.err(`modelcloud: ${(error as Error).message}\n`);
    if (error instanceof DeployError && error.logExcerpt.trim()) {
      io.err(`--- last lines of the log${error.revision !== undefined ? ` of revision ${error.revision}` : ''} ---\n${error.logExcerpt.trimEnd()}\n`);
    }
    return 1;
  } finally {
    manager.dispose();
  }
}

function usageError(io: CliIo, command: string, error: string): number {
  io.err(`modelcloud ${command}: ${error}\nRun 'modelcloud --help' for usage.\n`);
  return 2;
}

export { usageError };

/** `stop SERVICE`, `restart SERVICE`, `scale SERVICE --workers N`. */
export const stopCommand: Subcommand = {
  usage: ['stop SERVICE                       stop a deployed service (its revisions stay for restart/rollback)'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, {});
    if (!parsed.ok) return usageError(io, 'stop', parsed.error);
    if (parsed.positional.length !== 1) return usageError(io, 'stop', 'name one service: modelcloud stop SERVICE');
    return withManager(ctx, io, async (m) => {
      await m.stop(parsed.positional[0]);
      io.out(`stopped ${parsed.positional[0]}\n`);
      return 0;
    });
  },
};

export const restartCommand: Subcommand = {
  usage: ['restart SERVICE                    start a fresh instance of the active revision (health-gated)'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, {});
    if (!parsed.ok) return usageError(io, 'restart', parsed.error);
    if (parsed.positional.length !== 1) return usageError(io, 'restart', 'name one service: modelcloud restart SERVICE');
    return withManager(ctx, io, async (m) => {
      await m.restart(parsed.positional[0]);
      io.out(`restarted ${parsed.positional[0]}\n`);
      return 0;
    });
  },
};

export const scaleCommand: Subcommand = {
  usage: ['scale SERVICE --workers N          run the active revision with N worker processes (health-gated)'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { values: ['--workers'] });
    if (!parsed.ok) return usageError(io, 'scale', parsed.error);
    const workers = intFlag(parsed.flags, '--workers', 1, 64);
    if (typeof workers === 'string') return usageError(io, 'scale', workers);
    if (parsed.positional.length !== 1 || workers === undefined) return usageError(io, 'scale', 'usage: modelcloud scale SERVICE --workers N');
    return withManager(ctx, io, async (m) => {
      await m.scale(parsed.positional[0], workers);
      io.out(`${parsed.positional[0]} now runs ${workers} worker(s)\n`);
      return 0;
    });
  },
};
