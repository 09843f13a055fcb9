// The model registry against a real SQLite file (both drivers): versions, stages, aliases, resolve, metrics.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteTrackingStore } from '../../../src/platform/store/sqliteTrackingStore';
import { RegistryStore, RegistryError } from '../../../src/platform/registry/registryStore';
import { betterSqliteSkipReason, type SqliteDriverName } from '../../../src/platform/store/sqliteDriver';
import { ModelUriError } from '../../../src/core/registry/uri';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);
const FILE = { path: 'model.pkl', sha256: '1'.repeat(64), size: 10 };
const drivers: SqliteDriverName[] = betterSqliteSkipReason() === undefined ? ['better-sqlite3', 'node:sqlite'] : ['node:sqlite'];

for (const driver of drivers) {
  describe(`RegistryStore (${driver})`, () => {
    let dir: string;
    let registry: RegistryStore;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'mc-registry-'));
      const tracking = new SqliteTrackingStore(join(dir, 'tracking.db'), { driver });
      tracking.apply({
        runs: [RUN_A, RUN_B].map((id) => ({ id, experiment: 'e', name: id[0], status: 'FINISHED' as const, startMs: 1, origin: 'modelcloud' as const })),
        metrics: [
          { runId: RUN_A, key: 'f1', value: 0.8, step: 0, ts: 1 }, { runId: RUN_A, key: 'f1', value: 0.85, step: 1, ts: 2 },
          { runId: RUN_B, key: 'f1', value: null, step: 0, ts: 1 },
        ],
      });
      tracking.close();
      registry = new RegistryStore(join(dir, 'tracking.db'), { driver });
    });
    afterEach(() => {
      registry.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('numbers versions per model, never reusing a deleted number', () => {
      assert.equal(registry.createVersion('wine', { runId: RUN_A, files: [FILE], flavor: 'pickle', signature: { inputs: [1] } }, 100).version, 1);
      assert.equal(registry.createVersion('wine', { runId: RUN_B, files: [FILE] }).version, 2);
      assert.equal(registry.createVersion('iris', { runId: RUN_B, files: [FILE] }).version, 1);
      registry.deleteVersion('wine', 2);
      assert.equal(registry.createVersion('wine', { runId: RUN_B, files: [FILE] }).version, 3);
      const wine = registry.getModel('wine')!;
      assert.deepEqual(wine.versions.map((v) => v.version), [1, 3]);
      assert.deepEqual(wine.versions[0].signature, { inputs: [1] });
      assert.equal(wine.versions[0].flavor, 'pickle');
      assert.equal(wine.versions[0].source, `runs:/${RUN_A}`);
      assert.deepEqual(registry.listModels().map((m) => m.name), ['iris', 'wine']);
      assert.throws(() => registry.createModel('wine'), /already exists/);
      registry.createModel('empty', { description: 'no versions yet', tags: { team: 'a' } });
      registry.setModelTag('empty', 'owner', 'ana');
      registry.deleteModelTag('empty', 'team');
      assert.deepEqual(registry.getModel('empty'), { name: 'empty', description: 'no versions yet', tags: { owner: 'ana' }, createdMs: registry.getModel('empty')!.createdMs, versions: [] });
      assert.throws(() => registry.setModelTag('nope', 'k', 'v'), /no registered model 'nope'/);
      assert.throws(() => registry.createVersion('bad/name', { runId: null, files: [FILE] }), /invalid model name/);
      assert.throws(() => registry.createVersion('wine', { runId: null, files: [] }), /at least one file/);
      assert.throws(() => registry.createVersion('wine', { runId: null, files: [{ path: 'x', sha256: 'zz', size: 1 }] }), /64-hex sha256/);
    });

    it('moves stages with history, archiving the current Production when asked', () => {
      for (let i = 0; i < 3; i++) registry.createVersion('wine', { runId: RUN_A, files: [FILE] });
      registry.transitionStage('wine', 1, 'Production', { user: 'ana', reason: 'first' }, 10);
      registry.transitionStage('wine', 2, 'Production', {}, 20);
      assert.deepEqual(registry.getModel('wine')!.versions.map((v) => v.stage), ['Production', 'Production', 'None']);
      registry.transitionStage('wine', 3, 'Production', { archiveExisting: true, user: 'bo', reason: 'better f1' }, 30);
      assert.deepEqual(registry.getModel('wine')!.versions.map((v) => v.stage), ['Archived', 'Archived', 'Production']);
      const history = registry.transitions('wine');
      assert.deepEqual(history.map((t) => [t.version, t.from, t.to, t.user]), [
        [1, 'None', 'Production', 'ana'], [2, 'None', 'Production', null],
        [3, 'None', 'Production', 'bo'], [1, 'Production', 'Archived', 'bo'], [2, 'Production', 'Archived', 'bo'],
      ]);
      assert.equal(history[2].reason, 'better f1');
      assert.match(history[3].reason!, /version 3 moved to Production/);
      assert.throws(() => registry.transitionStage('wine', 3, 'Production'), (e: unknown) => e instanceof RegistryError && /already in stage/.test(e.message));
      assert.throws(() => registry.transitionStage('wine', 9, 'Staging'), /version 9 does not exist/);
      assert.throws(() => registry.transitionStage('nope', 1, 'Staging'), /no registered model 'nope' \(registered: wine\)/);
    });

    it('resolves versions, aliases, stages and latest to manifests', () => {
      registry.createVersion('wine', { runId: RUN_A, files: [FILE], flavor: 'joblib' }, 5);
      registry.createVersion('wine', { runId: RUN_B, files: [FILE, { path: 'MLmodel.json', sha256: '2'.repeat(64), size: 3 }] }, 6);
      registry.setAlias('wine', 1, 'champion');
      registry.transitionStage('wine', 2, 'Staging');
      assert.deepEqual(registry.resolve('models:/wine@champion'), {
        name: 'wine', version: 1, files: [FILE], runId: RUN_A, stage: 'None', aliases: ['champion'], signature: null, flavor: 'joblib', createdMs: 5,
      });
      assert.equal(registry.resolve('models:/wine/Staging').version, 2);
      assert.equal(registry.resolve('models:/wine/latest').files.length, 2);
      assert.equal(registry.resolve('models:/wine/2').runId, RUN_B);
      registry.setAlias('wine', 2, 'champion'); // moves
      assert.equal(registry.resolve('models:/wine@champion').version, 2);
      assert.throws(() => registry.resolve('models:/wine/Production'), /no version in stage Production.*versions of wine: 1 \(None\), 2 \(Staging, @champion\)/);
      assert.throws(() => registry.resolve('models:/wine@gone'), /no alias 'gone'/);
      assert.throws(() => registry.resolve('models:/other/1'), /no model 'other' \(registered: wine\)/);
      assert.throws(() => registry.resolve('wine'), ModelUriError);
      assert.throws(() => registry.setAlias('wine', 7, 'x'), /no version 7 \(versions: 1, 2\)/);
      assert.throws(() => registry.setAlias('wine', 1, '12'), /invalid alias/);
      registry.deleteAlias('wine', 'champion');
      assert.throws(() => registry.deleteAlias('wine', 'champion'), /no alias 'champion'/);
    });

    it("joins each version's source run's latest metric", () => {
      registry.createVersion('wine', { runId: RUN_A, files: [FILE] });
      registry.createVersion('wine', { runId: RUN_B, files: [FILE] });
      registry.createVersion('wine', { runId: 'c'.repeat(32), files: [FILE] });
      assert.deepEqual(registry.versionsWithMetric('wine', 'f1').map((v) => [v.version, v.metric]), [[1, 0.85], [2, null], [3, undefined]]);
      assert.deepEqual(registry.versionsWithMetric('wine', 'nope').map((v) => v.metric), [undefined, undefined, undefined]);
    });

    it('keeps listRegisteredModels working and MLflow re-ingest leaves own versions alone', () => {
      registry.createVersion('wine', { runId: RUN_A, files: [FILE] });
      registry.setAlias('wine', 1, 'champion');
      const tracking = new SqliteTrackingStore(join(dir, 'tracking.db'), { driver });
      try {
        assert.deepEqual(tracking.listRegisteredModels(), [{
          name: 'wine', description: null,
          versions: [{ version: 1, stage: 'None', runId: RUN_A, source: `runs:/${RUN_A}`, aliases: ['champion'] }],
        }]);
        tracking.apply({ registeredModels: [{ name: 'wine', description: 'from mlflow', versions: [] }] });
        assert.equal(tracking.listRegisteredModels()[0].versions.length, 1);
        assert.deepEqual(tracking.listRegisteredModels()[0].versions[0].aliases, ['champion']);
      } finally {
        tracking.close();
      }
    });
  });
}
