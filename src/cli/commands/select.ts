// `modelcloud select --env ENV --metric KEY [--max|--min] [--model NAME] [--json]`: the best version
// an environment accepts (its range in <workspace>/modelcloud.yaml, `environments:`) by a metric of
// each version's source run.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseEnvironments, type Environments } from '../../core/registry/environments';
import { selectBest } from '../../core/registry/select';
import { manifestOf } from '../../platform/registry/registryStore';
import type { Subcommand } from './registry';
import { parseFlags, usageError } from './services';
import { withRegistry } from './models';

export const selectCommand: Subcommand = {
  usage: [
    'select --env ENV --metric KEY [--max|--min] [--model NAME] [--json]',
    '                                   best version allowed in ENV (modelcloud.yaml environments) by a run metric',
  ],
  async run(argv, io, ctx) {
    const parsed = parseFlags(argv, { values: ['--env', '--metric', '--model'], switches: ['--max', '--min', '--json'] });
    if (!parsed.ok) return usageError(io, 'select', parsed.error);
    if (parsed.positional.length) return usageError(io, 'select', `unexpected argument '${parsed.positional[0]}'`);
    const env = parsed.flags.get('--env') as string | undefined;
    const rawMetric = parsed.flags.get('--metric') as string | undefined;
    if (!env || !rawMetric) return usageError(io, 'select', 'needs --env ENV and --metric KEY');
    if (parsed.flags.has('--max') && parsed.flags.has('--min')) return usageError(io, 'select', 'pass --max or --min, not both');
    const direction = parsed.flags.has('--min') ? 'min' : 'max';
    const metric = rawMetric.replace(/^metrics\./, '');
    const workspace = dirname(ctx.storeDir);
    let environments: Environments;
    try {
      environments = readEnvironments(workspace);
    } catch (error) {
      io.err(`modelcloud: ${(error as Error).message}\n`);
      return 1;
    }
    const range = environments.get(env);
    if (!range) {
      io.err(`modelcloud: no environment '${env}' in ${join(workspace, 'modelcloud.yaml')} ` +
        `(declared: ${[...environments.keys()].join(', ') || 'none'}); add it under "environments:", e.g. ${env}: "<=2"\n`);
      return 1;
    }
    if ('error' in range) {
      io.err(`modelcloud: ${range.error}\n`);
      return 1;
    }
    return withRegistry(ctx, io, (registry) => {
      let name = parsed.flags.get('--model') as string | undefined;
      if (!name) {
        const models = registry.listModels();
        if (models.length !== 1) {
          io.err(`modelcloud: pass --model NAME (registered: ${models.map((m) => m.name).join(', ') || 'none'})\n`);
          return 1;
        }
        name = models[0].name;
      }
      const { best, reasons } = selectBest({ versions: registry.versionsWithMetric(name, metric), range, metric, direction });
      const model = registry.getModel(name)!;
      const selected = best ? manifestOf(model.versions.find((v) => v.version === best.version)!) : null;
      if (parsed.flags.has('--json')) {
        io.out(`${JSON.stringify({ model: name, environment: env, range: range.text, metric, direction, selected, metricValue: best?.metric ?? null, reasons }, null, 2)}\n`);
      } else {
        for (const r of reasons) io.out(`  v${r.version}: ${r.status}: ${r.detail}\n`);
      }
      if (!best) {
        io.err(`modelcloud: no version of ${name} in environment '${env}' (range '${range.text}') has metric '${metric}'\n`);
        return 1;
      }
      if (!parsed.flags.has('--json')) io.out(`selected ${name} version ${best.version} for ${env}: models:/${name}/${best.version}\n`);
      return 0;
    });
  },
};

/** `environments:` of <workspace>/modelcloud.yaml; none when the file is absent. */
export function readEnvironments(workspace: string): Environments {
  const path = join(workspace, 'modelcloud.yaml');
  if (!existsSync(path)) return new Map();
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return new Map();
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${path}: expected a mapping at the top level`);
  return parseEnvironments((doc as Record<string, unknown>).environments, path);
}
