// Kubernetes ConfigMap + Deployment + Service for the A/B router. Pure: objects and YAML text
// (the labels, object shape and admin-Secret input are those of src/core/services/kubernetes.ts).
//
// Choices: the router is stateless (assignment is a hash, nothing to share), so it runs with 2
// replicas behind a ClusterIP Service. Each variant's upstreams are normally the variant's own
// Kubernetes Service URL (http://ranker-v2:9000): kube-proxy spreads over its pods, and a retry
// opens a new connection, which usually lands on another pod. The admin token comes from a Secret
// (required: the admin endpoints must never run without one). In the cluster there is no local
// tracking.db, so store logging is off; /metrics is the way to watch the experiment there.
import { stringify } from 'yaml';
import { K8S_LABELS, type KubernetesInput, type KubernetesObject } from '../services/kubernetes';
import type { RouterConfig } from './routerConfig';

export interface RouterKubernetesInput {
  config: RouterConfig;
  /** An image holding dist/router.js at /app/router.js (with Node >= 22). */
  image: string;
  namespace?: string;
  /** Default 2. */
  replicas?: number;
  /** Default { name: 'ab-<experiment>-admin', key: 'token' }. */
  adminTokenSecret?: KubernetesInput['adminTokenSecret'];
  imagePullPolicy?: KubernetesInput['imagePullPolicy'];
}

/** A service's object shape, plus the ConfigMap's `data` (which has no spec). */
export type RouterKubernetesObject = Omit<KubernetesObject, 'spec'> & { spec?: KubernetesObject['spec']; data?: Record<string, string> };

export const ROUTER_CONTAINER_PORT = 8080;
const LAUNCH_DIR = '/var/run/modelcloud-router';

const ROUTER_LABELS = {
  name: K8S_LABELS.name,
  component: 'app.kubernetes.io/component',
  managedBy: K8S_LABELS.managedBy,
  experiment: 'ai.modelcloud/ab-experiment',
} as const;

export function routerResourceName(experiment: string): string {
  // DNS-1035 label: lower case alphanumerics and '-', starting with a letter, at most 63.
  const cleaned = `ab-${experiment}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-');
  return cleaned.slice(0, 63).replace(/-+$/, '');
}

export function routerAdminSecret(experiment: string): { name: string; key: string } {
  return { name: `${routerResourceName(experiment)}-admin`.slice(0, 63), key: 'token' };
}

export function routerKubernetesObjects(input: RouterKubernetesInput): { configMap: RouterKubernetesObject; deployment: RouterKubernetesObject; service: RouterKubernetesObject } {
  const { config } = input;
  const name = routerResourceName(config.experiment);
  const secret = input.adminTokenSecret ?? routerAdminSecret(config.experiment);
  const labels = {
    [ROUTER_LABELS.name]: name, [ROUTER_LABELS.component]: 'ab-router', [ROUTER_LABELS.managedBy]: 'modelcloud',
    [ROUTER_LABELS.experiment]: config.experiment.slice(0, 63),
  };
  const metadata = (objectName: string) => ({ name: objectName, ...(input.namespace ? { namespace: input.namespace } : {}), labels });
  // In the pod the router listens on all interfaces of its own network namespace, on a fixed port.
  const launch = { config: { ...config, host: '0.0.0.0', port: ROUTER_CONTAINER_PORT }, storeDb: null };

  const configMap: RouterKubernetesObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(`${name}-config`),
    data: { 'router.json': `${JSON.stringify(launch, null, 2)}\n` },
  };
  const deployment: RouterKubernetesObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(name),
    spec: {
      replicas: input.replicas ?? 2,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { [ROUTER_LABELS.name]: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels,
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(ROUTER_CONTAINER_PORT), 'prometheus.io/path': '/metrics' },
        },
        spec: {
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 },
          containers: [{
            name: 'router',
            image: input.image,
            imagePullPolicy: input.imagePullPolicy ?? 'IfNotPresent',
            command: ['node', '/app/router.js', LAUNCH_DIR],
            ports: [{ name: 'http', containerPort: ROUTER_CONTAINER_PORT, protocol: 'TCP' }],
            env: [{ name: 'MODELCLOUD_ROUTER_ADMIN_TOKEN', valueFrom: { secretKeyRef: { name: secret.name, key: secret.key } } }],
            resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { memory: '512Mi' } },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            // The router writes its lock and info files next to router.json: a writable emptyDir, with the config file mounted in.
            volumeMounts: [
              { name: 'run', mountPath: LAUNCH_DIR },
              { name: 'config', mountPath: `${LAUNCH_DIR}/router.json`, subPath: 'router.json', readOnly: true },
            ],
          }],
          volumes: [{ name: 'run', emptyDir: {} }, { name: 'config', configMap: { name: `${name}-config` } }],
        },
      },
    },
  };
  const service: RouterKubernetesObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(name),
    spec: {
      type: 'ClusterIP',
      selector: { [ROUTER_LABELS.name]: name },
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
  return { configMap, deployment, service };
}

/** The three objects as one multi-document YAML file, ready for `kubectl apply -f`. */
export function routerKubernetesYaml(input: RouterKubernetesInput): string {
  const { configMap, deployment, service } = routerKubernetesObjects(input);
  const secret = input.adminTokenSecret ?? routerAdminSecret(input.config.experiment);
  const header = `# Generated by Modelcloud: A/B router for experiment '${input.config.experiment}'.\n` +
    `# Admin token first: kubectl create secret generic ${secret.name} --from-literal=${secret.key}=$(openssl rand -base64 24)\n`;
  return `${header}${stringify(configMap)}---\n${stringify(deployment)}---\n${stringify(service)}`;
}
