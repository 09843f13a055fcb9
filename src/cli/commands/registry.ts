// Subcommands that own their argument parsing (service packaging and deployment). Each module
// registers itself here with one line, so features can add commands without touching the
// tracking commands' parser in src/core/cli/args.ts.
import type { CliIo } from '../runCli';
import { packageCommand } from './package';
import { deployCommand } from './deploy';
import { rollbackCommand } from './rollback';
import { statusCommand, revisionsCommand } from './status';
import { stopCommand, restartCommand, scaleCommand } from './services';
import { modelsCommand } from './models';
import { registerCommand } from './register';
import { stageCommand, aliasCommand } from './stage';
import { resolveCommand } from './resolve';
import { selectCommand } from './select';
import { remoteCommand } from './remote';
import { pushCommand } from './push';
import { pullCommand } from './pull';
import { abCommand } from './ab';
import { abDispatcher } from './abDispatch';
import { AB_ROUTER_SUBCOMMANDS } from './abRouter';
import { syncCommand } from './sync';
import { trackDataCommand } from './trackData';

export interface SubcommandContext {
  /** The tracking store folder (`--store DIR`, default ./.modelcloud), resolved. */
  storeDir: string;
}

export interface Subcommand {
  /** One usage line per form, shown in `modelcloud --help`. */
  usage: string[];
  /** argv without the command name. Returns the exit code: 0 ok, 1 failed, 2 bad usage. */
  run(argv: string[], io: CliIo, ctx: SubcommandContext): Promise<number>;
}

export const SUBCOMMANDS: Record<string, Subcommand> = {
  package: packageCommand,
  deploy: deployCommand,
  rollback: rollbackCommand,
  status: statusCommand,
  revisions: revisionsCommand,
  stop: stopCommand,
  restart: restartCommand,
  scale: scaleCommand,
  models: modelsCommand,
  register: registerCommand,
  stage: stageCommand,
  alias: aliasCommand,
  resolve: resolveCommand,
  select: selectCommand,
  remote: remoteCommand,
  push: pushCommand,
  pull: pullCommand,
  // A/B: statistics (ab.ts) and the router's life cycle (abRouter.ts) under one name.
  ab: abDispatcher(abCommand, AB_ROUTER_SUBCOMMANDS),
  'track-data': trackDataCommand,
  sync: syncCommand,
};
