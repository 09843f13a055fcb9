// `modelcloud ab start|status|pause|resume|stop|feedback|manifest`: the A/B router's life cycle.
// These are a group of `ab` subcommands; the `ab` dispatcher (abDispatch.ts) joins them with the
// statistics subcommands (sample-size, test).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatTable, formatTime } from '../../core/cli/table';
import { routerConfigOrThrow } from '../../core/abtest/routerConfig';
import { routerKubernetesYaml } from '../../core/abtest/kubernetes';
import { RouterManager, TRACKING_DB_NAME, type RouterState } from '../../platform/abtest/routerManager';
import { AbStore } from '../../platform/abtest/abStore';
import type { CliIo } from '../runCli';
import type { Subcommand, SubcommandContext } from './registry';
import { parseFlags, usageError } from './services';

function managerFor(ctx: SubcommandContext, logToStore = true): RouterManager {
  return new RouterManager({ storeDir: ctx.storeDir, logToStore });
}

async function guarded(io: CliIo, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (error) {
    io.err(`modelcloud ab: ${(error as Error).message}\n`);
    return 1;
  }
}

function readConfigFile(io: CliIo, file: string): unknown {
  const path = resolve(io.cwd, file);
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (error) {
    throw new Error(`cannot read the router config ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try { return JSON.parse(text); } catch (error) {
    throw new Error(`the router config ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function printState(io: CliIo, s: RouterState, url: string): void {
  io.out(`experiment ${s.experiment}${s.title ? ` (${s.title})` : ''}: ${s.status} at ${url}, control ${s.control}, pid ${s.pid}\n`);
  io.out(`${formatTable(['VARIANT', 'SHARE', 'REQUESTS', 'ERRORS', 'REPLICAS'], s.variants.map((v) => [
    v.name, `${(v.share * 100).toFixed(1)}%`, String(v.requests), String(v.errors),
    v.replicas.map((r) => `${r.url}${r.healthy ? '' : ' (down)'}`).join(' '),
  ]), [1, 2, 3])}\n`);
  io.out(`feedback received: ${s.feedback}${s.store ? `; store rows written ${s.store.written}, queued ${s.store.queued}, dropped ${s.store.dropped}, errors ${s.store.errors}` : '; store logging off'}\n`);
}

const start: Subcommand = {
  usage: ['ab start --config FILE [--no-store] [--json]   start an A/B router (detached) for the experiment in FILE'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { values: ['--config'], switches: ['--json', '--no-store'] });
    if (!parsed.ok) return usageError(io, 'ab start', parsed.error);
    const file = parsed.flags.get('--config');
    if (typeof file !== 'string' || parsed.positional.length) return usageError(io, 'ab start', 'usage: modelcloud ab start --config FILE');
    return guarded(io, async () => {
      const client = await managerFor(ctx, !parsed.flags.has('--no-store')).start(readConfigFile(io, file));
      const state = await client.state();
      if (parsed.flags.has('--json')) { io.out(`${JSON.stringify({ url: client.url, ...state }, null, 2)}\n`); return 0; }
      io.out(`started A/B router for ${state.experiment} at ${client.url}\n`);
      printState(io, state, client.url);
      io.out(`admin token: ${client.paths.adminTokenFile} (mode 0600)\n`);
      return 0;
    });
  },
};

const status: Subcommand = {
  usage: ['ab status [NAME] [--json]                    routers and their experiments; with NAME: live state and logged counts/KPIs'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { switches: ['--json'] });
    if (!parsed.ok) return usageError(io, 'ab status', parsed.error);
    if (parsed.positional.length > 1) return usageError(io, 'ab status', 'usage: modelcloud ab status [NAME]');
    const manager = managerFor(ctx);
    return guarded(io, async () => {
      if (!parsed.positional.length) {
        const rows = await Promise.all(manager.list().map(async (name) => {
          const client = manager.connect(name);
          const state = client ? await client.state().catch(() => undefined) : undefined;
          return { experiment: name, running: !!client, url: client?.url ?? null, status: state?.status ?? 'not running', startedMs: state?.startedMs ?? null };
        }));
        if (parsed.flags.has('--json')) { io.out(`${JSON.stringify(rows, null, 2)}\n`); return 0; }
        if (!rows.length) { io.out("No A/B routers. Start one with 'modelcloud ab start --config FILE'.\n"); return 0; }
        io.out(`${formatTable(['EXPERIMENT', 'STATUS', 'URL', 'STARTED (UTC)'], rows.map((r) => [r.experiment, r.status, r.url ?? '-', formatTime(r.startedMs)]))}\n`);
        return 0;
      }
      const name = parsed.positional[0];
      const client = manager.connect(name);
      const live = client ? await client.state() : undefined;
      const dbPath = join(ctx.storeDir, TRACKING_DB_NAME);
      let logged: { traffic: unknown; kpis: Record<string, unknown> } | undefined;
      if (existsSync(dbPath)) {
        if (client) await client.flush().catch(() => undefined);
        const store = new AbStore(dbPath);
        try {
          if (store.experiment(name)) {
            logged = { traffic: store.traffic(name), kpis: Object.fromEntries(store.kpiNames(name).map((k) => [k, store.kpi(name, k)])) };
          }
        } finally { store.close(); }
      }
      if (!live && !logged) throw new Error(`no A/B router and no logged experiment named '${name}'`);
      if (parsed.flags.has('--json')) { io.out(`${JSON.stringify({ url: client?.url ?? null, live: live ?? null, logged: logged ?? null }, null, 2)}\n`); return 0; }
      if (live && client) printState(io, live, client.url);
      else io.out(`experiment ${name}: router not running\n`);
      if (logged) {
        const traffic = logged.traffic as Array<{ variant: string; users: number; requests: number; errors: number; retries: number; latencyMeanMs: number | null }>;
        io.out(`logged (phase running):\n${formatTable(['VARIANT', 'USERS', 'REQUESTS', 'ERRORS', 'RETRIES', 'MEAN MS'], traffic.map((t) => [
          t.variant, String(t.users), String(t.requests), String(t.errors), String(t.retries), t.latencyMeanMs === null ? '-' : t.latencyMeanMs.toFixed(2),
        ]), [1, 2, 3, 4, 5])}\n`);
        for (const [metric, rows] of Object.entries(logged.kpis)) {
          const list = rows as Array<{ variant: string; n: number; mean: number | null }>;
          io.out(`KPI ${metric}: ${list.map((r) => `${r.variant} n=${r.n} mean=${r.mean === null ? '-' : r.mean.toPrecision(4)}`).join(', ')}\n`);
        }
      }
      return 0;
    });
  },
};

function lifecycle(verb: 'pause' | 'resume' | 'stop', help: string): Subcommand {
  return {
    usage: [`ab ${verb} NAME${' '.repeat(Math.max(1, 38 - verb.length))}${help}`],
    async run(argv, io, ctx) {
      const parsed = parseFlags(argv, { switches: ['--json'] });
      if (!parsed.ok) return usageError(io, `ab ${verb}`, parsed.error);
      if (parsed.positional.length !== 1) return usageError(io, `ab ${verb}`, `name one experiment: modelcloud ab ${verb} NAME`);
      const name = parsed.positional[0];
      return guarded(io, async () => {
        const manager = managerFor(ctx);
        const state = verb === 'stop' ? await manager.stop(name)
          : verb === 'pause' ? await manager.require(name).pause() : await manager.require(name).resume();
        if (parsed.flags.has('--json')) { io.out(`${JSON.stringify(state, null, 2)}\n`); return 0; }
        io.out(verb === 'stop' ? `stopped experiment ${name} and its router\n`
          : verb === 'pause' ? `paused ${name}: all traffic goes to the control variant ${state.control}\n` : `resumed ${name}: users are routed to their own variants again\n`);
        return 0;
      });
    },
  };
}

const feedback: Subcommand = {
  usage: ['ab feedback NAME --user U --metric M --value V   record a KPI value for a user (as clients do with POST /feedback)'],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { values: ['--user', '--metric', '--value'], switches: ['--json'] });
    if (!parsed.ok) return usageError(io, 'ab feedback', parsed.error);
    const user = parsed.flags.get('--user');
    const metric = parsed.flags.get('--metric');
    const raw = parsed.flags.get('--value');
    const value = typeof raw === 'string' ? Number(raw) : NaN;
    if (parsed.positional.length !== 1 || typeof user !== 'string' || typeof metric !== 'string' || !Number.isFinite(value)) {
      return usageError(io, 'ab feedback', 'usage: modelcloud ab feedback NAME --user U --metric M --value NUMBER');
    }
    return guarded(io, async () => {
      const result = await managerFor(ctx).require(parsed.positional[0]).feedback(user, metric, value);
      if (parsed.flags.has('--json')) { io.out(`${JSON.stringify(result)}\n`); return 0; }
      io.out(`recorded ${metric}=${value} for user ${user} (variant ${result.variant}, phase ${result.phase})\n`);
      return 0;
    });
  },
};

const manifest: Subcommand = {
  usage: ['ab manifest --config FILE --image IMAGE [--namespace NS] [--out FILE]   Kubernetes ConfigMap + Deployment + Service for the router'],
  async run(argv, io) {
    const parsed = parseFlags(argv, { values: ['--config', '--image', '--namespace', '--out'] });
    if (!parsed.ok) return usageError(io, 'ab manifest', parsed.error);
    const file = parsed.flags.get('--config');
    const image = parsed.flags.get('--image');
    if (typeof file !== 'string' || typeof image !== 'string' || parsed.positional.length) {
      return usageError(io, 'ab manifest', 'usage: modelcloud ab manifest --config FILE --image IMAGE');
    }
    return guarded(io, async () => {
      const { config } = routerConfigOrThrow(readConfigFile(io, file), file);
      const ns = parsed.flags.get('--namespace');
      const yaml = routerKubernetesYaml({ config, image, namespace: typeof ns === 'string' ? ns : undefined });
      const out = parsed.flags.get('--out');
      if (typeof out === 'string') { writeFileSync(resolve(io.cwd, out), yaml); io.out(`wrote ${resolve(io.cwd, out)}\n`); } else io.out(yaml);
      return 0;
    });
  },
};

/** The router's `ab` subcommands, by name. */
export const AB_ROUTER_SUBCOMMANDS: Record<string, Subcommand> = {
  start,
  status,
  pause: lifecycle('pause', 'route all traffic to the control variant (resumable)'),
  resume: lifecycle('resume', 'route users to their own variants again'),
  stop: lifecycle('stop', 'end the experiment (final) and stop its router'),
  feedback,
  manifest,
};
