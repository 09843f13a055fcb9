import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RevisionStore } from '../../../src/platform/store/revisionStore';
import { SqliteTrackingStore } from '../../../src/platform/store/sqliteTrackingStore';

describe('RevisionStore (real SQLite, migration 5)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'mc-rev-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const driver of ['better-sqlite3', 'node:sqlite'] as const) {
    it(`numbers revisions per service and tracks statuses (${driver})`, () => {
      const store = new RevisionStore(join(dir, 'tracking.db'), { driver });
      try {
        const a1 = store.create({ service: 'a', target: 'local', digest: 'sha256:1', config: { k: "it's" } }, 1000);
        const b1 = store.create({ service: 'b', target: 'container', digest: 'sha256:2', modelVersion: 'models:/b/1', config: {} });
        const a2 = store.create({ service: 'a', target: 'local', digest: 'sha256:3', config: {} });
        assert.deepEqual([a1.revision, b1.revision, a2.revision], [1, 1, 2]);
        assert.equal(a1.status, 'retired');
        assert.equal(a1.reason, 'deploying');
        store.markActive('a', 1);
        store.markActive('a', 2);
        assert.deepEqual(store.list('a').map((r) => [r.revision, r.status, r.reason]), [[2, 'active', undefined], [1, 'previous', undefined]]);
        store.markFailed('a', 2, 'exited with code 3');
        store.markActive('a', 1);
        assert.deepEqual(store.list('a').map((r) => [r.revision, r.status]), [[2, 'failed'], [1, 'active']]);
        assert.deepEqual(store.get('a', 1)!.config, { k: "it's" });
        assert.equal(store.get('b', 1)!.modelVersion, 'models:/b/1');
        assert.deepEqual(store.services(), ['a', 'b']);
      } finally {
        store.close();
      }
    });
  }

  it('shares tracking.db with the tracking store (same migrations)', () => {
    const path = join(dir, 'tracking.db');
    new SqliteTrackingStore(path).close();
    const store = new RevisionStore(path);
    store.create({ service: 'a', target: 'local', digest: 'd', config: {} });
    store.close();
    const tracking = new SqliteTrackingStore(path);
    assert.deepEqual(tracking.listExperiments(), []);
    tracking.close();
  });
});
