// The integration suite in desktop VS Code through @vscode/test-electron, for machines that can
// download a VS Code build (this workplace cannot: `npm test` runs the same suite in code-server).
//   npm run test:electron            downloads VS Code stable once into .vscode-test/, then runs
// The suite module and the fixture workspace are the ones `npm test` uses; under Electron the
// store runs on node:sqlite (better-sqlite3's binary is built for Node, not Electron's ABI).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { copyFixtureWorkspace } from './workspaceCopy.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
execFileSync(process.execPath, [join(repo, 'esbuild.mjs')], { cwd: repo, stdio: 'inherit' });
const { runTests } = await import('@vscode/test-electron');
const workspace = copyFixtureWorkspace(repo, 'electron');
try {
  await runTests({
    extensionDevelopmentPath: repo,
    extensionTestsPath: join(repo, 'dist', 'test', 'suite', 'index'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (error) {
  console.error(`integration suite in desktop VS Code failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
