// The workspace watcher against real files and real chokidar: trigger files are reported,
// the store's own database and everything in skipped folders are not.
import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchWorkspace, type WorkspaceWatcher } from '../../../src/platform/watch/workspaceWatcher';
import { classifyIngestPath } from '../../../src/platform/ingest/workspaceIngest';

const RUN = '0123456789abcdef0123456789abcdef';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('watchWorkspace (real chokidar)', function () {
  this.timeout(10_000);
  let root: string;
  let watcher: WorkspaceWatcher | undefined;
  let seen: string[];
  let errors: unknown[];

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'mc-watch-'));
    for (const dir of ['.modelcloud/runs', 'node_modules/pkg', '.git', 'src']) mkdirSync(join(root, dir), { recursive: true });
    seen = [];
    errors = [];
    watcher = watchWorkspace({
      root,
      isTriggerFile: (path) => classifyIngestPath(path) !== undefined,
      onTrigger: (path) => seen.push(path),
      onError: (error) => errors.push(error),
    });
    await watcher.ready;
  });

  afterEach(async () => {
    await watcher?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  async function waitForSeen(path: string, timeoutMs = 2000): Promise<number> {
    const started = Date.now();
    while (!seen.includes(path)) {
      if (Date.now() - started > timeoutMs) throw new Error(`no event for ${path} within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`);
      await sleep(10);
    }
    return Date.now() - started;
  }

  it('reports new and growing run logs and new mlruns files, quickly', async () => {
    const log = join(root, '.modelcloud', 'runs', `${RUN}.jsonl`);
    writeFileSync(log, '{"v":1}\n');
    const addMs = await waitForSeen(log);
    seen.length = 0;
    appendFileSync(log, '{"v":1}\n');
    const changeMs = await waitForSeen(log);
    assert.ok(addMs < 1000 && changeMs < 1000, `events after ${addMs} / ${changeMs} ms`);

    const metric = join(root, 'project', 'mlruns', '1', 'abc', 'metrics', 'loss');
    mkdirSync(join(metric, '..'), { recursive: true });
    writeFileSync(metric, '1700000000000 0.5 0\n');
    await waitForSeen(metric);
    assert.deepEqual(errors, []);
  });

  it('ignores the store database, ordinary source files and skipped folders', async () => {
    writeFileSync(join(root, '.modelcloud', 'tracking.db'), 'x');
    writeFileSync(join(root, 'src', 'train.py'), 'print(1)\n');
    mkdirSync(join(root, 'node_modules', 'pkg', 'mlruns', '1'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'pkg', 'mlruns', '1', 'meta.yaml'), 'name: x\n');
    writeFileSync(join(root, '.git', 'model_track_center.db'), 'x');
    // A trigger written last: once it is reported, the earlier writes had their chance.
    const log = join(root, '.modelcloud', 'runs', `${RUN}.jsonl`);
    writeFileSync(log, '{"v":1}\n');
    await waitForSeen(log);
    await sleep(200);
    assert.deepEqual(seen, [log]);
  });
});
