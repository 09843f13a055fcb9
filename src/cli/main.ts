// Entry point of the `modelcloud` CLI (bundled to dist/cli.js, package.json "bin").
import { runCli } from './runCli';
import { version } from '../../package.json';

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  version,
}).then((code) => { process.exitCode = code; }, (error: unknown) => {
  process.stderr.write(`modelcloud: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
