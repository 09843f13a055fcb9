// `modelcloud ab <sub> ...` is owned by two modules: the statistics (ab.ts: sample-size, test,
// boundaries) and the router's life cycle (abRouter.ts: start, status, pause, resume, stop,
// feedback, manifest). This joins them under one command name: a router subcommand goes to its
// handler, anything else to the statistics command (which reports unknown actions itself).
import type { Subcommand } from './registry';
import { usageError } from './services';

const STATISTICS_ACTIONS = ['sample-size', 'test', 'boundaries'];

export function abDispatcher(statistics: Subcommand, router: Record<string, Subcommand>): Subcommand {
  return {
    usage: [...statistics.usage, ...Object.values(router).flatMap((s) => s.usage)],
    async run(argv, io, ctx) {
      const [sub, ...rest] = argv;
      if (sub !== undefined && Object.prototype.hasOwnProperty.call(router, sub)) return router[sub].run(rest, io, ctx);
      if (sub === undefined) {
        return usageError(io, 'ab', `name a subcommand: ${[...STATISTICS_ACTIONS, ...Object.keys(router)].join(', ')}`);
      }
      if (!STATISTICS_ACTIONS.includes(sub)) {
        return usageError(io, 'ab', `unknown subcommand '${sub}' (expected ${[...STATISTICS_ACTIONS, ...Object.keys(router)].join(', ')})`);
      }
      return statistics.run(argv, io, ctx);
    },
  };
}
