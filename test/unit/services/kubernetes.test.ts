// Kubernetes manifests (simulated: no Kubernetes API server here). The generated objects are
// checked field by field, the YAML is parsed back and checked for what the API server requires,
// and the kubectl adapter is exercised without a configured context (it writes the files) and
// against a fake API server that answers discovery and records what kubectl creates.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { K8S_LABELS, kubernetesObjects, kubernetesYaml, labelValue, type KubernetesObject } from '../../../src/core/services/kubernetes';
import type { ServiceManifest } from '../../../src/core/services/manifest';
import { deployToKubernetes, kubectlCurrentContext } from '../../../src/platform/kubernetes/kubectl';

const manifest: ServiceManifest = {
  name: 'power', python: '3.11', entrypoint: 'python cloud_model.py', build_steps: [], models: [],
  replicas: 3, workers: 4, resources: { cpu: '500m', memory: '1Gi' }, env: { LOG_LEVEL: 'debug' }, port: 8080,
};
const input = { manifest, image: 'modelcloud/power:abc123', revision: 7, modelVersion: 'models:/power@champion' };

type Container = {
  name: string; image: string; ports: Array<{ containerPort: number; name: string }>;
  env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  livenessProbe: { httpGet: { path: string; port: string } }; readinessProbe: { httpGet: { path: string; port: string } };
};

function container(deployment: KubernetesObject): Container {
  return (deployment.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0];
}

describe('Kubernetes manifests (simulated: no Kubernetes API server here)', () => {
  const { deployment, service } = kubernetesObjects(input);

  it('a Deployment with replicas, a zero-downtime rolling update and the image', () => {
    assert.equal(deployment.apiVersion, 'apps/v1');
    assert.equal(deployment.kind, 'Deployment');
    assert.equal(deployment.metadata.name, 'power');
    assert.equal(deployment.spec.replicas, 3);
    assert.deepEqual(deployment.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    assert.equal(container(deployment).image, 'modelcloud/power:abc123');
    assert.equal(kubernetesObjects({ ...input, manifest: { ...manifest, replicas: undefined } }).deployment.spec.replicas, 1);
  });

  it('liveness on /healthz and readiness on /readyz against the named container port', () => {
    const c = container(deployment);
    assert.deepEqual(c.ports, [{ name: 'http', containerPort: 9000, protocol: 'TCP' }]);
    assert.deepEqual(c.livenessProbe.httpGet, { path: '/healthz', port: 'http' });
    assert.deepEqual(c.readinessProbe.httpGet, { path: '/readyz', port: 'http' });
  });

  it('resources from the manifest as requests and limits, defaults otherwise', () => {
    assert.deepEqual(container(deployment).resources, { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '500m', memory: '1Gi' } });
    const plain = container(kubernetesObjects({ ...input, manifest: { ...manifest, resources: undefined } }).deployment);
    assert.ok(plain.resources.requests.cpu && plain.resources.requests.memory && plain.resources.limits.memory);
  });

  it('selects pods by the stable name only; pods carry service, revision and model version labels', () => {
    const spec = deployment.spec as { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } };
    assert.deepEqual(spec.selector.matchLabels, { [K8S_LABELS.name]: 'power' });
    const labels = spec.template.metadata.labels;
    assert.equal(labels[K8S_LABELS.service], 'power');
    assert.equal(labels[K8S_LABELS.revision], '7');
    assert.equal(labels[K8S_LABELS.modelVersion], 'models_power_champion');
    assert.equal(spec.template.metadata.annotations[K8S_LABELS.modelVersion], 'models:/power@champion');
    for (const [k, v] of Object.entries(labels)) assert.match(v, /^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/, k);
    assert.equal(labelValue(`-${'x'.repeat(80)}.`), 'x'.repeat(63));
  });

  it('env for the runtime, the manifest env, and the admin token only as a Secret reference', () => {
    const env = container(deployment).env;
    const byName = Object.fromEntries(env.map((e) => [e.name, e]));
    assert.equal(byName.MODELCLOUD_HOST.value, '0.0.0.0');
    assert.equal(byName.MODELCLOUD_RUNENV.value, 'prod');
    assert.equal(byName.MODELCLOUD_WORKERS.value, '4');
    assert.equal(byName.MODELCLOUD_MODEL_VERSION.value, 'models:/power@champion');
    assert.equal(byName.LOG_LEVEL.value, 'debug');
    assert.equal(byName.MODELCLOUD_ADMIN_TOKEN.value, undefined);
    assert.deepEqual(byName.MODELCLOUD_ADMIN_TOKEN.valueFrom?.secretKeyRef, { name: 'power-admin', key: 'token', optional: true });
    const custom = container(kubernetesObjects({ ...input, adminTokenSecret: { name: 's', key: 'k' } }).deployment).env;
    assert.deepEqual(custom.find((e) => e.name === 'MODELCLOUD_ADMIN_TOKEN')?.valueFrom?.secretKeyRef, { name: 's', key: 'k', optional: true });
  });

  it('a ClusterIP Service on the manifest port targeting the named port', () => {
    assert.equal(service.apiVersion, 'v1');
    assert.equal(service.kind, 'Service');
    assert.deepEqual(service.spec.selector, { [K8S_LABELS.name]: 'power' });
    assert.deepEqual(service.spec.ports, [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('YAML that parses back to the same objects, with the fields the API server requires', () => {
    const docs = parseAllDocuments(kubernetesYaml(input));
    assert.ok(Array.isArray(docs));
    assert.equal(docs.length, 2);
    for (const doc of docs) assert.deepEqual(doc.errors, []);
    const [d, s] = docs.map((doc) => doc.toJS() as KubernetesObject);
    assert.deepEqual(d, JSON.parse(JSON.stringify(deployment)));
    assert.deepEqual(s, JSON.parse(JSON.stringify(service)));
    for (const o of [d, s]) {
      assert.ok(o.apiVersion && o.kind && o.metadata.name, 'apiVersion, kind, metadata.name');
      assert.match(o.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    const spec = d.spec as { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } } };
    // apps/v1 rejects a Deployment whose selector does not match its pod template.
    for (const [k, v] of Object.entries(spec.selector.matchLabels)) assert.equal(spec.template.metadata.labels[k], v);
    assert.ok(spec.template.spec.containers.every((c) => c.name && c.image));
    assert.doesNotMatch(kubernetesYaml(input), /MODELCLOUD_ADMIN_TOKEN\s*\n\s*value:/);
  });

  it('without a configured context, writes the manifests to a folder and says how to apply them', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'modelcloud-k8s-'));
    try {
      // An empty kubeconfig: no current context, whatever this machine has in ~/.kube.
      const env = { ...process.env, KUBECONFIG: join(dir, 'no-kubeconfig') };
      assert.equal(await kubectlCurrentContext({ env }), undefined);
      const result = await deployToKubernetes(input, join(dir, 'manifests'), { env });
      assert.equal(result.applied, false);
      assert.equal(result.manifestFile, join(dir, 'manifests', 'power.yaml'));
      assert.equal(readFileSync(result.manifestFile, 'utf8'), kubernetesYaml(input));
      assert.match(result.message, /no Kubernetes context is configured.*kubectl apply -f .*power\.yaml/);
      // A missing kubectl is the same as no context.
      assert.equal(await kubectlCurrentContext({ env, kubectl: join(dir, 'no-such-kubectl') }), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies with kubectl to the current context (a fake API server records the objects)', async function () {
    this.timeout(60_000);
    if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status !== 0) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'modelcloud-k8s-'));
    const created: Array<{ path: string; body: KubernetesObject }> = [];
    // Just enough of the API for a client-side apply: discovery, GET (404: new) and POST.
    const resources: Record<string, object> = {
      '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs: ['create', 'get', 'patch'] }] },
      '/apis/apps/v1': { kind: 'APIResourceList', groupVersion: 'apps/v1', resources: [{ name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['create', 'get', 'patch'] }] },
      '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
      '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }] },
    };
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c; });
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0];
        const reply = (code: number, obj: object): void => { res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(obj)); };
        if (req.method === 'GET' && resources[path]) return reply(200, resources[path]);
        if (req.method === 'POST') {
          const obj = JSON.parse(body) as KubernetesObject;
          created.push({ path, body: obj });
          return reply(201, { ...obj, metadata: { ...obj.metadata, uid: `u${created.length}`, resourceVersion: '1' } });
        }
        reply(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\ncurrent-context: fake\n` +
        `clusters: [{name: fake, cluster: {server: "http://127.0.0.1:${(server.address() as { port: number }).port}"}}]\n` +
        'users: [{name: u, user: {token: t}}]\ncontexts: [{name: fake, context: {cluster: fake, user: u, namespace: models}}]\n');
      const env = { ...process.env, KUBECONFIG: kubeconfig };
      assert.equal(await kubectlCurrentContext({ env }), 'fake');
      // The fake serves no OpenAPI documents, so kubectl's client-side schema validation is off here.
      const result = await deployToKubernetes(input, join(dir, 'manifests'), { env, extraArgs: ['--validate=false'] });
      assert.equal(result.applied, true);
      assert.equal(result.context, 'fake');
      assert.match(result.message, /deployment.apps\/power created\s+service\/power created/);
      assert.deepEqual(created.map((c) => c.path), ['/apis/apps/v1/namespaces/models/deployments', '/api/v1/namespaces/models/services']);
      assert.equal(created[0].body.spec.replicas, 3);
      assert.equal(container(created[0].body).image, 'modelcloud/power:abc123');
      const token = container(created[0].body).env.find((e) => e.name === 'MODELCLOUD_ADMIN_TOKEN');
      assert.deepEqual(token, { name: 'MODELCLOUD_ADMIN_TOKEN', valueFrom: { secretKeyRef: { name: 'power-admin', key: 'token', optional: true } } });
    } finally {
      server.closeAllConnections();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
