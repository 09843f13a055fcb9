import { strict as assert } from 'node:assert';
import { isSkippedDirectory, isIgnoredWatchPath } from '../../../src/core/watch/watchFilter';

const isTrigger = (rel: string): boolean =>
  /^\.modelcloud\/runs\/[0-9a-f]{32}\.jsonl$/.test(rel) || /(^|\/)mlruns\/.+/.test(rel) || rel.endsWith('model_track_center.db');

describe('watch filter', () => {
  it('enters the root, project folders, mlruns and the store runs folder', () => {
    for (const dir of ['', 'src', 'projects/a', 'mlruns', 'mlruns/1/abc/metrics/train', '.modelcloud', '.modelcloud/runs']) {
      assert.equal(isSkippedDirectory(dir), false, dir);
    }
  });

  it('skips tool, cache, hidden and environment folders, store internals and MLflow artifacts', () => {
    for (const dir of [
      'node_modules', 'a/node_modules/b', '.git', '.venv', 'venv', 'src/__pycache__', 'nb/.ipynb_checkpoints',
      'mlruns/.trash', '.modelcloud/artifacts', '.modelcloud/runs/sub', 'mlruns/1/abc/artifacts', 'mlruns/1/abc/artifacts/model',
    ]) {
      assert.equal(isSkippedDirectory(dir), true, dir);
    }
    assert.equal(isSkippedDirectory('artifacts'), false, 'an artifacts folder outside mlruns is an ordinary folder');
  });

  it('tracks only trigger files, and never the store database', () => {
    const runLog = '.modelcloud/runs/0123456789abcdef0123456789abcdef.jsonl';
    assert.equal(isIgnoredWatchPath(runLog, 'file', isTrigger), false);
    assert.equal(isIgnoredWatchPath(runLog, 'unknown', isTrigger), false);
    assert.equal(isIgnoredWatchPath('.modelcloud/tracking.db', 'file', isTrigger), true);
    assert.equal(isIgnoredWatchPath('.modelcloud/tracking.db-wal', 'unknown', isTrigger), true);
    assert.equal(isIgnoredWatchPath('train.py', 'file', isTrigger), true);
    assert.equal(isIgnoredWatchPath('mlruns/1/abc/metrics/loss', 'file', isTrigger), false);
    assert.equal(isIgnoredWatchPath('mlruns/1/abc/artifacts/model.pkl', 'file', isTrigger), true);
    assert.equal(isIgnoredWatchPath('legacy/model_track_center.db', 'file', isTrigger), false);
  });

  it('does not ignore a path before chokidar knows whether it is a folder', () => {
    assert.equal(isIgnoredWatchPath('src', 'unknown', isTrigger), false);
    assert.equal(isIgnoredWatchPath('src', 'directory', isTrigger), false);
    assert.equal(isIgnoredWatchPath('node_modules', 'unknown', isTrigger), true);
  });
});
