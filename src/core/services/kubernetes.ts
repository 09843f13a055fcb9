// Kubernetes Deployment + Service for a packaged model service. Pure: objects and YAML text.
//
// Choices: rolling updates never drop capacity (maxUnavailable 0, maxSurge 1) and a pod receives
// traffic only after /readyz answers, the same health gate the local deployers use; /healthz is
// the liveness probe. The selector uses only the stable name label (selectors are immutable),
// while pod labels carry the revision and model version. The admin token comes from a Secret
// reference and is never written into the manifests.
import { stringify } from 'yaml';
import { DEFAULT_SERVICE_PORT, type ServiceManifest } from './manifest';
import { SERVICE_UID } from './dockerfile';

export interface KubernetesInput {
  manifest: ServiceManifest;
  image: string;
  revision?: number;
  modelVersion?: string;
  namespace?: string;
  /** Secret holding the admin token; default { name: '<service>-admin', key: 'token' }. */
  adminTokenSecret?: { name: string; key: string };
  /** Default IfNotPresent (images built locally are not in a registry). */
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}

export type KubernetesObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
};

export const K8S_LABELS = {
  name: 'app.kubernetes.io/name',
  managedBy: 'app.kubernetes.io/managed-by',
  service: 'ai.modelcloud/service',
  revision: 'ai.modelcloud/revision',
  modelVersion: 'ai.modelcloud/model-version',
} as const;

/** Requests (and limits) when the manifest gives no resources: small, but enough for a scikit-learn model. */
export const DEFAULT_RESOURCES = { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } };
export const DEFAULT_WORKERS = 2;

export function adminSecretFor(manifest: ServiceManifest): { name: string; key: string } {
  return { name: `${manifest.name}-admin`.slice(0, 63), key: 'token' };
}

export function kubernetesObjects(input: KubernetesInput): { deployment: KubernetesObject; service: KubernetesObject } {
  const { manifest } = input;
  const port = DEFAULT_SERVICE_PORT;
  const secret = input.adminTokenSecret ?? adminSecretFor(manifest);
  const stable = { [K8S_LABELS.name]: manifest.name, [K8S_LABELS.managedBy]: 'modelcloud', [K8S_LABELS.service]: manifest.name };
  const podLabels: Record<string, string> = { ...stable };
  if (input.revision !== undefined) podLabels[K8S_LABELS.revision] = String(input.revision);
  if (input.modelVersion) podLabels[K8S_LABELS.modelVersion] = labelValue(input.modelVersion);
  // Labels allow only [A-Za-z0-9._-]; the exact model version (models:/x@champion) goes in an annotation.
  const annotations: Record<string, string> = {};
  if (input.modelVersion) annotations[K8S_LABELS.modelVersion] = input.modelVersion;
  if (input.revision !== undefined) annotations[K8S_LABELS.revision] = String(input.revision);
  const metadata = (name: string, labels: Record<string, string>) => ({
    name, ...(input.namespace ? { namespace: input.namespace } : {}), labels, ...(Object.keys(annotations).length ? { annotations } : {}),
  });

  const env: Array<Record<string, unknown>> = [
    { name: 'MODELCLOUD_HOST', value: '0.0.0.0' },
    { name: 'MODELCLOUD_PORT', value: String(port) },
    { name: 'MODELCLOUD_RUNENV', value: 'prod' },
    { name: 'MODELCLOUD_WORKERS', value: String(manifest.workers ?? DEFAULT_WORKERS) },
    ...(input.modelVersion ? [{ name: 'MODELCLOUD_MODEL_VERSION', value: input.modelVersion }] : []),
    ...Object.entries(manifest.env ?? {}).map(([name, value]) => ({ name, value })),
    // optional: without the Secret the pod still starts and the admin endpoints answer 403.
    { name: 'MODELCLOUD_ADMIN_TOKEN', valueFrom: { secretKeyRef: { name: secret.name, key: secret.key, optional: true } } },
    { name: 'MODELCLOUD_STATE_DIR', value: '/tmp/modelcloud-state' },
  ];
  const resources = manifest.resources && Object.keys(manifest.resources).length
    ? { requests: { ...manifest.resources }, limits: { ...manifest.resources } }
    : DEFAULT_RESOURCES;

  const deployment: KubernetesObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(manifest.name, podLabels),
    spec: {
      replicas: manifest.replicas ?? 1,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { [K8S_LABELS.name]: manifest.name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: podLabels, ...(Object.keys(annotations).length ? { annotations } : {}) },
        spec: {
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: SERVICE_UID, runAsGroup: SERVICE_UID },
          containers: [{
            name: 'service',
            image: input.image,
            imagePullPolicy: input.imagePullPolicy ?? 'IfNotPresent',
            ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
            env,
            resources,
            // setup() may load a large model: allow up to 2 minutes before liveness applies.
            startupProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2, failureThreshold: 60 },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
            readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
  const service: KubernetesObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(manifest.name, stable),
    spec: {
      type: 'ClusterIP',
      selector: { [K8S_LABELS.name]: manifest.name },
      ports: [{ name: 'http', port: manifest.port ?? port, targetPort: 'http', protocol: 'TCP' }],
    },
  };
  return { deployment, service };
}

/** Both objects as one multi-document YAML file, ready for `kubectl apply -f`. */
export function kubernetesYaml(input: KubernetesInput): string {
  const { deployment, service } = kubernetesObjects(input);
  const header = `# Generated by Modelcloud for service '${input.manifest.name}'` +
    `${input.revision === undefined ? '' : `, revision ${input.revision}`}.\n` +
    `# Admin token: kubectl create secret generic ${(input.adminTokenSecret ?? adminSecretFor(input.manifest)).name} --from-file=token=PATH\n`;
  return `${header}${stringify(deployment)}---\n${stringify(service)}`;
}

/** A valid label value: at most 63 of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(raw: string): string {
  return raw.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}
