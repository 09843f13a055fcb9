// Subcommands that own their argument parsing (service packaging and deployment). Each module
// registers itself here with one line, so features can add commands without touching the
// tracking commands' parser in src/core/cli/args.ts.
import type { CliIo } from '../runCli';

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
};
