import * as assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { parseRouterConfig, routerConfigOrThrow, ROUTER_DEFAULTS } from '../../../src/core/abtest/routerConfig';
import { routerKubernetesObjects, routerKubernetesYaml, routerResourceName, ROUTER_CONTAINER_PORT } from '../../../src/core/abtest/kubernetes';

const base = {
  experiment: 'ranker-v2-vs-v1',
  variants: [
    { name: 'A', weight: 90, upstreams: ['http://127.0.0.1:9001', 'http://127.0.0.1:9002/'] },
    { name: 'B', weight: 10, upstreams: ['http://127.0.0.1:9003'] },
  ],
};

describe('A/B router config', () => {
  it('fills defaults: control = first variant, header x-user-id, reject missing keys, no retries of non-idempotent commands', () => {
    const { config, plan } = routerConfigOrThrow(base);
    assert.equal(config.control, 'A');
    assert.deepEqual(config.userKey, { header: 'x-user-id' });
    assert.deepEqual(config.missingKey, { policy: 'reject' });
    assert.deepEqual(config.idempotent, []);
    assert.deepEqual(config.timeouts, ROUTER_DEFAULTS.timeouts);
    assert.equal(config.host, '127.0.0.1');
    // Trailing slashes are dropped so paths join cleanly.
    assert.deepEqual(config.variants[0].upstreams, ['http://127.0.0.1:9001', 'http://127.0.0.1:9002']);
    assert.deepEqual(plan.upperBounds, [0.9, 1]);
  });

  it('accepts a JSON-field key, a default variant for missing keys and custom timeouts', () => {
    const { config } = routerConfigOrThrow({
      ...base, control: 'B', userKey: { jsonField: 'context.user_id' }, missingKey: { policy: 'default', variant: 'A' },
      idempotent: ['predict'], timeouts: { connectMs: 500 }, retries: 2, port: 8080,
    });
    assert.equal(config.control, 'B');
    assert.deepEqual(config.missingKey, { policy: 'default', variant: 'A' });
    assert.deepEqual(config.timeouts, { connectMs: 500, requestMs: ROUTER_DEFAULTS.timeouts.requestMs });
    assert.equal(config.retries, 2);
  });

  it('reports every problem at once, each with a fix', () => {
    const result = parseRouterConfig({
      experiment: 'bad id!', variants: [{ name: 'A', weight: 1, upstreams: ['https://x:1'] }, { name: 'B', weight: 1, upstreams: [] }, { name: 'C', weight: 1, upstreams: ['http://h:1/predict'] }],
      control: 'Z', missingKey: { policy: 'default', variant: 'nope' }, idempotent: 'predict', retries: -1, colour: 'blue',
    });
    assert.equal(result.ok, false);
    const text = (result as { problems: string[] }).problems.join('\n');
    for (const expected of [/unknown field 'colour'/, /experiment must be an id/, /must use http:\/\//, /B: upstreams must list at least one/,
      /without a path/, /control must name one of the variants \(A, B, C\)/, /missingKey must be/, /idempotent must be a list/, /retries must be a whole number from 0 to 10/]) {
      assert.match(text, expected);
    }
    assert.throws(() => routerConfigOrThrow({ ...base, variants: [] }, 'ab.json'), /invalid ab\.json:\n {2}- an experiment needs at least two variants/);
  });
});

describe('A/B router Kubernetes manifests', () => {
  const { config } = routerConfigOrThrow({ ...base, experiment: 'Ranker_V2', idempotent: ['predict'] });

  it('makes a ConfigMap with the launch file, a 2-replica Deployment with probes and the admin Secret, and a ClusterIP Service', () => {
    const { configMap, deployment, service } = routerKubernetesObjects({ config, image: 'registry.local/modelcloud-router:0.1', namespace: 'ab' });
    assert.equal(routerResourceName('Ranker_V2'), 'ab-ranker-v2');
    assert.equal(configMap.metadata.name, 'ab-ranker-v2-config');
    const launch = JSON.parse(configMap.data!['router.json']) as { config: { host: string; port: number; experiment: string }; storeDb: null };
    assert.deepEqual([launch.config.host, launch.config.port, launch.config.experiment, launch.storeDb], ['0.0.0.0', ROUTER_CONTAINER_PORT, 'Ranker_V2', null]);
    // The launch config still validates: the pod's router can start from it.
    routerConfigOrThrow(launch.config);
    const spec = deployment.spec as any;
    assert.equal(spec.replicas, 2);
    assert.equal(deployment.metadata.namespace, 'ab');
    const container = spec.template.spec.containers[0];
    assert.deepEqual(container.command, ['node', '/app/router.js', '/var/run/modelcloud-router']);
    assert.equal(container.readinessProbe.httpGet.path, '/healthz');
    assert.deepEqual(container.env[0].valueFrom.secretKeyRef, { name: 'ab-ranker-v2-admin', key: 'token' });
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.equal(spec.template.metadata.annotations['prometheus.io/path'], '/metrics');
    assert.deepEqual(spec.selector.matchLabels, (service.spec as any).selector);
  });

  it('writes three YAML documents ready for kubectl apply, with the Secret command in the header', () => {
    const yaml = routerKubernetesYaml({ config, image: 'img' });
    assert.match(yaml, /kubectl create secret generic ab-ranker-v2-admin/);
    const docs = parseAllDocuments(yaml).map((d) => d.toJS() as { kind: string });
    assert.deepEqual(docs.map((d) => d.kind), ['ConfigMap', 'Deployment', 'Service']);
  });
});
