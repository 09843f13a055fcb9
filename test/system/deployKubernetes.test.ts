// Kubernetes target, simulated: no API server can run here, so with no kubectl context the deploy
// writes the manifests per revision, records the revision and says where they are.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServiceManager } from '../../src/platform/deploy/createServiceManager';
import { PYTHON, tempRoot, writeService } from './support/deployFixture';

describe('deploy: Kubernetes target without a cluster (simulated)', function () {
  this.timeout(60_000);
  const root = tempRoot('modelcloud-deploy-k8s-');
  const saved = process.env.KUBECONFIG;
  before(() => {
    writeFileSync(join(root, 'kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    process.env.KUBECONFIG = join(root, 'kubeconfig');
  });
  after(() => { if (saved === undefined) delete process.env.KUBECONFIG; else process.env.KUBECONFIG = saved; });

  it('writes Deployment + Service manifests per revision and lists the service as not applied', async () => {
    const manager = createServiceManager({ storeDir: join(root, '.modelcloud'), python: PYTHON });
    try {
      const dir = writeService(join(root, 'svc'), 'v1', 'ok', 'k8s-fixture');
      const progress: string[] = [];
      const result = await manager.deploy({ dir, target: 'kubernetes', workers: 3 }, (m) => progress.push(m));
      assert.equal(result.revision, 1);
      assert.ok(result.manifestsDir);
      const yaml = readFileSync(join(result.manifestsDir, 'k8s-fixture.yaml'), 'utf8');
      assert.match(yaml, /kind: Deployment/);
      assert.match(yaml, /kind: Service/);
      assert.match(yaml, /\/readyz/);
      assert.ok(progress.some((m) => /no Kubernetes context is configured/.test(m)), progress.join('\n'));
      const second = await manager.deploy({ dir, target: 'kubernetes' });
      assert.equal(second.revision, 2);
      const [status] = await manager.list();
      assert.equal(status.target, 'kubernetes');
      assert.equal(status.state, 'stopped');
      assert.match(status.lastError ?? '', /manifests written to .*revision-2/);
      assert.deepEqual((await manager.revisions('k8s-fixture')).map((r) => [r.revision, r.status]), [[2, 'active'], [1, 'previous']]);
    } finally {
      manager.dispose();
    }
  });
});
