// Argument parsing for the `modelcloud` CLI. Pure: takes argv, returns what to do or what is wrong.

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'ingest'; store?: string; dir?: string }
  | { kind: 'experiments'; store?: string; json: boolean }
  | { kind: 'runs'; store?: string; json: boolean; experiment?: string; search?: RunSearchArgs };

/** `runs --filter/--order-by/--limit`: MLflow search syntax, parsed later by src/core/query. */
export interface RunSearchArgs {
  filter?: string;
  orderBy?: string;
  limit?: number;
}

export type ParsedArgs = { ok: true; command: CliCommand } | { ok: false; error: string };

export const USAGE = `Usage: modelcloud [--store DIR] <command> [options]

Commands:
  ingest [DIR]                       read run logs, MLflow mlruns/ folders and seed databases under DIR
                                     (default: the current folder) into the store, once
  experiments [--json]               list experiments with run counts
  runs [--experiment NAME] [--json]  list runs with their params, latest metrics and tags
       [--filter EXPR] [--order-by ORDER] [--limit N]
                                     search with MLflow's syntax, e.g.
                                     --filter "metrics.f1 > 0.9 and params.max_depth = '5'"
                                     --order-by "metrics.f1 DESC, attributes.start_time"

Options:
  --store DIR    the tracking store folder (default: ./.modelcloud)
  -h, --help     show this help
  -V, --version  show the version`;

export const USAGE_HINT = "Run 'modelcloud --help' for usage.";

const COMMANDS = ['ingest', 'experiments', 'runs'] as const;

export function parseCliArgs(argv: string[]): ParsedArgs {
  let store: string | undefined;
  let json = false;
  let experiment: string | undefined;
  let search: RunSearchArgs | undefined;
  let help = false;
  let version = false;
  const positional: string[] = [];
  const flagsSeen: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { positional.push(...argv.slice(i + 1)); break; }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const takeValue = (): string | undefined => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('-')) return undefined;
      i++;
      return next;
    };
    switch (name) {
      case '-h': case '--help': help = true; break;
      case '-V': case '--version': version = true; break;
      case '--json':
        if (inline !== undefined) return { ok: false, error: '--json takes no value' };
        json = true; flagsSeen.push('--json'); break;
      case '--store': {
        const value = takeValue();
        if (value === undefined || value === '') return { ok: false, error: '--store needs a folder: --store DIR' };
        store = value; break;
      }
      case '--experiment': {
        const value = takeValue();
        if (value === undefined || value === '') return { ok: false, error: '--experiment needs a name: --experiment NAME' };
        experiment = value; flagsSeen.push('--experiment'); break;
      }
      case '--filter': case '--order-by': {
        // Both start with a field name, never '-', so a following option is never swallowed as the value.
        const value = takeValue();
        if (value === undefined) {
          return { ok: false, error: name === '--filter'
            ? `--filter needs an expression: --filter "metrics.f1 > 0.9 and params.depth = '5'"`
            : '--order-by needs fields: --order-by "metrics.f1 DESC"' };
        }
        search = { ...search, [name === '--filter' ? 'filter' : 'orderBy']: value };
        flagsSeen.push(name); break;
      }
      case '--limit': {
        const value = takeValue();
        if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1) {
          return { ok: false, error: `--limit needs a positive whole number of runs, got ${value === undefined ? 'nothing' : `'${value}'`}` };
        }
        search = { ...search, limit: Number(value) };
        flagsSeen.push('--limit'); break;
      }
      default:
        if (arg.startsWith('-') && arg !== '-') return { ok: false, error: `unknown option ${name}` };
        positional.push(arg);
    }
  }

  if (help) return { ok: true, command: { kind: 'help' } };
  if (version) return { ok: true, command: { kind: 'version' } };
  const [command, ...rest] = positional;
  if (command === undefined) return { ok: false, error: 'missing command (ingest, experiments or runs)' };
  if (command === 'help') return { ok: true, command: { kind: 'help' } };
  if (!(COMMANDS as readonly string[]).includes(command)) return { ok: false, error: `unknown command '${command}' (expected ingest, experiments or runs)` };

  const allowed: Record<(typeof COMMANDS)[number], string[]> = { ingest: [], experiments: ['--json'], runs: ['--json', '--experiment', '--filter', '--order-by', '--limit'] };
  const wrong = flagsSeen.find((flag) => !allowed[command as (typeof COMMANDS)[number]].includes(flag));
  if (wrong) return { ok: false, error: `${wrong} does not apply to '${command}'` };

  switch (command) {
    case 'ingest':
      if (rest.length > 1) return { ok: false, error: `ingest takes at most one folder, got ${rest.length}` };
      return { ok: true, command: { kind: 'ingest', store, dir: rest[0] } };
    case 'experiments':
      if (rest.length > 0) return { ok: false, error: `experiments takes no arguments, got '${rest[0]}'` };
      return { ok: true, command: { kind: 'experiments', store, json } };
    default:
      if (rest.length > 0) return { ok: false, error: `runs takes no arguments, got '${rest[0]}' (did you mean --experiment ${rest[0]}?)` };
      return { ok: true, command: search ? { kind: 'runs', store, json, experiment, search } : { kind: 'runs', store, json, experiment } };
  }
}
