// `npm start`: a sample ML project with real runs, open in a real VS Code with Modelcloud loaded.
//
//   npm start                    code-server on 127.0.0.1 (port: --port N, else $PORT, else a free one)
//   npm start -- --fresh         recreate the sample workspace and its runs first
//   npm start -- --desktop       VS Code desktop instead (`code --extensionDevelopmentPath=<repo> <ws>`)
//
// The sample workspace lives in <repo>/.cache/sample-workspace (git-ignored): it is per clone,
// so it always matches this clone's media/sample and extension, it survives restarts (your runs
// and edits stay), and deleting .cache (or --fresh) resets it. The slow, clone-independent tools
// live in the shared cache instead (see toolchain.mjs).
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer } from './codeServer.mjs';
import { HarnessError, log, probe, run, runMain, step } from './proc.mjs';
import { ensureCodeServer, ensureNpmDeps, ensurePythonVenv, runUnderNode24 } from './toolchain.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

function parseArgs(argv) {
  const opts = { port: process.env.PORT ? Number(process.env.PORT) : undefined, desktop: false, fresh: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') opts.port = Number(argv[++i]);
    else if (a.startsWith('--port=')) opts.port = Number(a.slice('--port='.length));
    else if (a === '--desktop') opts.desktop = true;
    else if (a === '--fresh') opts.fresh = true;
    else throw new HarnessError(`unknown argument ${a}`, 'usage: npm start -- [--port N] [--fresh] [--desktop]');
  }
  if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port > 0 && opts.port < 65536)) {
    throw new HarnessError(`invalid port "${opts.port}"`, 'pass --port with a number between 1 and 65535 (or set PORT)');
  }
  return opts;
}

runMain(async () => {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.desktop && !probe('code', ['--version'])) {
    throw new HarnessError('`code` (VS Code desktop) is not on PATH',
      'install VS Code and run "Shell Command: Install \'code\' command in PATH", or run `npm start` without --desktop to use code-server');
  }
  await runUnderNode24();
  await ensureNpmDeps(repo);
  const codeServer = opts.desktop ? undefined : await ensureCodeServer();
  const venv = await ensurePythonVenv();
  await step('build', async () => {
    await run(process.execPath, ['esbuild.mjs'], { cwd: repo, fix: 'fix the build errors above (`npm run build` shows the same)' });
    return 'node esbuild.mjs';
  });
  const workspace = await step('sample', () => ensureSampleWorkspace(venv.python, opts.fresh));

  if (opts.desktop) {
    log(`opening VS Code desktop on ${workspace}`);
    await run('code', [`--extensionDevelopmentPath=${repo}`, workspace], { env: { ...process.env, MODELCLOUD_PYTHON: venv.python } });
    return 0;
  }

  // Persistent, per-clone code-server state, so UI layout and settings survive restarts.
  const base = join(repo, '.cache', 'code-server');
  mkdirSync(base, { recursive: true });
  const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version;
  linkExtension(join(base, 'extensions'), version);
  const server = await startCodeServer({
    entry: /** @type {{ entry: string }} */ (codeServer).entry,
    port: opts.port,
    workspace,
    baseDir: base,
    env: { MODELCLOUD_PYTHON: venv.python },
  });
  log(`code-server log: ${server.dirs.log}`);
  process.stdout.write(`\n  Modelcloud is running: ${server.url}/\n  workspace: ${workspace}\n  Ctrl-C stops it.\n\n`);
  await new Promise(() => {}); // until Ctrl-C; codeServer.mjs stops the server on exit
});

/**
 * The extension is installed by symlinking the repo into the extensions dir under the name VS
 * Code gives installed extensions (<publisher>.<name>-<version>), so the plain URL loads it
 * (no development payload). A stale link from an older version is replaced.
 */
function linkExtension(extensionsDir, version) {
  mkdirSync(extensionsDir, { recursive: true });
  const name = `modelcloud.modelcloud-${version}`;
  for (const entry of readdirSync(extensionsDir)) {
    if (entry.startsWith('modelcloud.modelcloud-')) rmSync(join(extensionsDir, entry), { recursive: false, force: true });
  }
  // The manifest cache would otherwise remember the old link.
  rmSync(join(extensionsDir, 'extensions.json'), { force: true });
  rmSync(join(extensionsDir, '.obsolete'), { force: true });
  symlinkSync(repo, join(extensionsDir, name), 'dir');
}

/**
 * The seed's model service (power-forecast/cloud_model.py, unchanged from the spec, with a
 * scikit-learn model) so Package / Deploy / Roll Back can be tried at once. Copied from the
 * test fixture that the packaging and deploy tests use, so the sample is exactly what is tested.
 */
async function ensureSampleService(python, workspace) {
  const service = join(workspace, 'power-forecast');
  if (!existsSync(service)) cpSync(join(repo, 'test', 'fixtures', 'services', 'seed'), service, { recursive: true });
  if (existsSync(join(service, 'model.pkl'))) return;
  log(`training the sample service's model: ${python} train.py (in ${service})`);
  await run(python, ['train.py'], { cwd: service, fix: `run it by hand to see the error: cd ${service} && ${python} train.py` });
}

/** Creates .cache/sample-workspace from media/sample once, and trains the sample so it has runs. */
async function ensureSampleWorkspace(python, fresh) {
  const source = join(repo, 'media', 'sample');
  const workspace = join(repo, '.cache', 'sample-workspace');
  const script = join(workspace, 'train.py');
  if (fresh) rmSync(workspace, { recursive: true, force: true });
  if (!existsSync(workspace)) {
    if (!existsSync(join(source, 'train.py'))) {
      throw new HarnessError(`${join(source, 'train.py')} does not exist`, 'add the sample project (media/sample/train.py) first');
    }
    cpSync(source, workspace, { recursive: true });
  }
  await ensureSampleService(python, workspace);
  // The notebook sample (%load_ext modelcloud, %%mc_run --autolog, %mc_log_model --register), the
  // same file the notebook tests execute through a real kernel.
  const notebook = join(workspace, 'notebooks', 'train_wine.ipynb');
  if (!existsSync(notebook)) {
    mkdirSync(dirname(notebook), { recursive: true });
    cpSync(join(repo, 'test', 'fixtures', 'notebooks', 'train_wine.ipynb'), notebook);
  }
  const runsDir = join(workspace, '.modelcloud', 'runs');
  const hasRuns = existsSync(runsDir) && readdirSync(runsDir).some((n) => n.endsWith('.jsonl'));
  if (hasRuns) return workspace;
  log(`training the sample: ${python} train.py (in ${workspace})`);
  await run(python, [script], {
    cwd: workspace,
    env: {
      ...process.env,
      PYTHONPATH: [join(repo, 'src', 'python'), process.env.PYTHONPATH].filter(Boolean).join(delimiter),
      MODELCLOUD_DIR: join(workspace, '.modelcloud'),
    },
    fix: `run it by hand to see the error: cd ${workspace} && PYTHONPATH=${join(repo, 'src', 'python')} ${python} train.py`,
  });
  return workspace;
}
