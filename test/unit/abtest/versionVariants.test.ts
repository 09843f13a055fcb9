import { strict as assert } from 'node:assert';
import { versionVariantOptions } from '../../../src/core/abtest/versionVariants';
import { draftProblems } from '../../../src/core/abtest/dashboardModel';
import type { AbServiceOption } from '../../../src/protocol/abDashboard';

const svc = (name: string, model: string | null, modelRef: string | null, url: string | null = 'http://127.0.0.1:1'): AbServiceOption =>
  ({ name, state: url ? 'healthy' : 'stopped', url, model, modelRef });

describe('versionVariantOptions', () => {
  it('offers each registry version no service serves, deployed from the first running service of that model', () => {
    const services = [svc('wine-b', 'models:/wine/2', 'models:/wine/2'), svc('wine-a', 'models:/wine/1', 'models:/wine@champion'), svc('echo', null, null)];
    const options = versionVariantOptions(services, [{ name: 'wine', versions: [3, 1, 2, 4] }, { name: 'churn', versions: [1] }]);
    assert.deepEqual(options.map((o) => [o.name, o.model, o.deployFrom]), [
      ['wine-a-v3', 'models:/wine/3', { service: 'wine-a', model: 'models:/wine/3' }],
      ['wine-a-v4', 'models:/wine/4', { service: 'wine-a', model: 'models:/wine/4' }],
    ]);
    assert.ok(options.every((o) => o.url === null && o.state === 'not deployed'));
  });
  it('needs a running template, skips names already taken and names too long for a service', () => {
    assert.deepEqual(versionVariantOptions([svc('wine-a', null, 'models:/wine@champion', null)], [{ name: 'wine', versions: [1] }]), []);
    const taken = versionVariantOptions([svc('wine-a', 'models:/wine/1', 'models:/wine@champion'), svc('wine-a-v2', null, null)], [{ name: 'wine', versions: [1, 2, 3] }]);
    assert.deepEqual(taken.map((o) => o.name), ['wine-a-v3']);
    const long = 'x'.repeat(62);
    assert.deepEqual(versionVariantOptions([svc(long, `models:/wine/1`, 'models:/wine/1')], [{ name: 'wine', versions: [2] }]), []);
  });
  it('a draft may pick a version option (deployed on Start) although it has no URL yet', () => {
    const services = [svc('wine-a', 'models:/wine/1', 'models:/wine@champion')];
    const [option] = versionVariantOptions(services, [{ name: 'wine', versions: [1, 2] }]);
    const draft = {
      experiment: 'wine-v2-vs-v1', title: '', variants: [{ service: 'wine-a', weight: 50 }, { service: option.name, weight: 50 }], control: 0,
      userKey: { kind: 'header' as const, name: 'x-user-id' }, kpi: { name: 'converted', type: 'proportion' as const }, mde: 0.02, baseline: 0.1, alpha: 0.05, power: 0.8, alias: 'champion',
    };
    assert.deepEqual(draftProblems(draft, [...services, option]), []);
    assert.match(draftProblems(draft, [...services, { ...option, deployFrom: undefined }]).join('\n'), /no URL/);
  });
});
