// The ServiceManager behind the CLI and the Deployments view: records each deploy as a revision,
// prepares it (bundle + venv for local, image for container, manifests for Kubernetes) and hands
// local and container revisions to the service's supervisor, which health-gates the switch.
import { existsSync, readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { DEFAULT_AUTO_ROLLBACK, validateAutoRollback, type AutoRollbackPolicy } from '../../core/deploy/errorWindow';
import { chooseRollbackTarget } from '../../core/deploy/revisions';
import { chooseServicePort, validateWorkers } from '../../core/deploy/servicePort';
import { serviceStateOf } from '../../core/deploy/serviceState';
import type { ContainerEngine } from '../containers/engine';
import { detectEngine } from '../containers/engine';
import { RevisionStore } from '../store/revisionStore';
import { copyServiceBundle, digestFiles, modelVersionOf, serviceFiles } from './bundle';
import { resolveDeployedModel } from '../registry/deployedModel';
import { RESOLVED_MODEL_CONFIG_KEY } from '../../core/registry/lineage';
import { MODEL_FILES_DIGEST_CONFIG_KEY } from '../../core/registry/filesDigest';
import { localRevisionSpec } from './localTarget';
import { containerRevisionSpec } from './containerTarget';
import { deployKubernetes, reapplyKubernetes } from './kubernetesTarget';
import { loadService } from './serviceSource';
import { MODEL_URI_PATTERN, SERVICE_NAME_PATTERN } from '../../core/services/manifest';
import {
  DeployError, type DeployRequest, type DeployResult, type Revision, type ServiceManager, type ServiceStatus,
} from './serviceManager.api';
import { servicePaths, servicesRoot, readJsonFile, writeFileAtomic, type ServicePaths } from './servicePaths';
import { SupervisorClient } from './supervisorClient';
import type { RevisionSpec, ServiceRecord, StatusResponse } from './supervisorProtocol';

export interface ServiceManagerOptions {
  /** The .modelcloud folder: tracking.db (revisions) and services/<name>/. */
  storeDir: string;
  /** Base Python interpreter for local revisions. */
  python: string;
  engine?: ContainerEngine;
  log?: (line: string) => void;
  /** 'auto' reuses `python` when it has the requirements; 'always' makes a cached venv. Default auto. */
  venv?: 'auto' | 'always';
  venvCacheDir?: string;
  /** How long a new revision may take to pass /readyz. Default 60 s. */
  readyTimeoutMs?: number;
  /** How long an old revision may finish its in-flight requests after a switch. Default 10 s. */
  drainTimeoutMs?: number;
}

/** DeployRequest plus the optional automatic rollback (additive to the contract). */
export interface DeployRequestWithPolicy extends DeployRequest {
  /** true: defaults (50% errors over 30 s, at least 20 requests); false: off; an object: these settings. */
  autoRollback?: boolean | { threshold?: number; windowSeconds?: number; minRequests?: number; graceSeconds?: number };
}

export function createServiceManager(opts: ServiceManagerOptions): ServiceManager {
  return new LocalServiceManager(opts);
}

/** Spec of a revision as kept in its config, so rollback can start it again. */
interface RevisionConfig extends Record<string, unknown> {
  spec?: RevisionSpec;
  port?: number;
  workers?: number;
  dir?: string;
  manifestsDir?: string;
  applied?: boolean;
}

class LocalServiceManager implements ServiceManager {
  private store: RevisionStore | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: ServiceManagerOptions) {
    this.log = opts.log ?? (() => undefined);
  }

  async deploy(req: DeployRequestWithPolicy, onProgress: (message: string) => void = () => undefined, signal?: AbortSignal): Promise<DeployResult> {
    const progress = (m: string): void => { this.log(m); onProgress(m); };
    const workersProblem = validateWorkers(req.workers);
    if (workersProblem) throw new DeployError(workersProblem, '');
    if (!['local', 'container', 'kubernetes'].includes(req.target)) {
      throw new DeployError(`unknown deploy target '${req.target}'; use local, container or kubernetes`, '');
    }
    const dir = resolve(req.dir);
    const loaded = await loadService(dir);
    const name = req.name ?? loaded.manifest.name;
    if (req.name !== undefined && !SERVICE_NAME_PATTERN.test(req.name)) {
      throw new DeployError(`service name '${req.name}' is not valid: use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit`, '');
    }
    if (req.model !== undefined) {
      if (!MODEL_URI_PATTERN.test(req.model)) {
        throw new DeployError(`model '${req.model}' is not a registry model URI; write models:/NAME/VERSION, models:/NAME@alias or models:/NAME/STAGE`, '');
      }
    }
    // Overrides act as if the manifest said so: images, Kubernetes objects and labels follow them.
    const folder = { ...loaded, manifest: { ...loaded.manifest, name, model: req.model ?? loaded.manifest.model } };
    const requestedModel = folder.manifest.model;
    // Resolved once, recorded in the revision (lineage, and what load_model() loads in the service).
    const dbPath = join(this.opts.storeDir, 'tracking.db');
    const deployedModel = resolveDeployedModel(dbPath, requestedModel);
    if (req.model !== undefined && deployedModel.problem) {
      throw new DeployError(`model ${req.model} does not resolve in ${dbPath} (${deployedModel.problem}); 'modelcloud models' lists the registered versions`, '');
    }
    const paths = servicePaths(this.opts.storeDir, name);
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    const workers = req.workers ?? folder.manifest.workers;
    const store = this.revisionStore();
    signal?.throwIfAborted();

    if (req.target === 'kubernetes') {
      const digest = digestFiles(dir, serviceFiles(dir));
      const modelVersion = modelVersionOf(dir, folder.modelFiles, requestedModel);
      const rev = store.create({ service: name, target: 'kubernetes', digest, modelVersion, config: { dir, workers, ...deployedModel.config } });
      try {
        const out = await deployKubernetes({ folder, revision: rev.revision, outDir: paths.kubernetesDir(rev.revision), workers, modelVersion, onProgress: progress });
        // A service that also runs locally keeps its local record (port, policies); the revision still lands in the history.
        const existingRecord = readJsonFile<ServiceRecord>(paths.serviceFile);
        if (!existingRecord || existingRecord.target === 'kubernetes') {
          this.saveRecord(paths, { name, dir, target: 'kubernetes', port: 0, autoRollback: DEFAULT_AUTO_ROLLBACK, readyTimeoutMs: 0, drainTimeoutMs: 0 });
        }
        this.updateConfig(rev, { dir, workers, manifestsDir: out.manifestsDir, applied: out.applied });
        store.markActive(name, rev.revision);
        return { service: name, revision: rev.revision, manifestsDir: out.manifestsDir };
      } catch (error) {
        store.markFailed(name, rev.revision, (error as Error).message);
        throw error instanceof DeployError ? error : new DeployError((error as Error).message, '', rev.revision);
      }
    }

    // The stable port and the supervisor record come first: a bad --port fails before any work.
    const existing = readJsonFile<ServiceRecord>(paths.serviceFile);
    let client = SupervisorClient.connect(paths);
    const portChoice = chooseServicePort({
      service: name, requested: req.port, manifestPort: folder.manifest.port,
      remembered: existing?.port || undefined, running: client?.info.port,
    });
    if (!portChoice.ok) throw new DeployError(portChoice.error, '');
    const policy = this.policyOf(req.autoRollback, existing?.autoRollback);

    const modelVersion = modelVersionOf(dir, folder.modelFiles, requestedModel);
    let rev: Revision;
    let spec: RevisionSpec;
    if (req.target === 'local') {
      rev = store.create({ service: name, target: 'local', digest: digestFiles(dir, serviceFiles(dir)), modelVersion, config: { dir, workers, ...deployedModel.config } });
      try {
        const bundleDir = paths.revisionBundle(rev.revision);
        progress(`revision ${rev.revision}: copying ${dir} to ${bundleDir}`);
        copyServiceBundle(dir, bundleDir);
        spec = await localRevisionSpec({
          revision: rev.revision, bundleDir, entrypoint: folder.manifest.entrypoint,
          requirements: folder.requirementsFile && relativeIn(dir, folder.requirementsFile),
          python: this.opts.python, venvMode: this.opts.venv ?? 'auto', venvCacheDir: this.opts.venvCacheDir,
          workers, modelVersion, manifestEnv: folder.manifest.env, onProgress: progress, signal,
        });
      } catch (error) {
        store.markFailed(name, rev.revision, (error as Error).message);
        throw new DeployError(`could not prepare revision ${rev.revision} of ${name}: ${(error as Error).message}`, outputOf(error), rev.revision);
      }
    } else {
      const engine = this.opts.engine ?? await detectEngine();
      if (!engine) throw new DeployError('no container engine (podman or docker) answers here; install one, or deploy with --target local', '');
      const prepared = await containerRevisionSpec({ dir, engine, modelVersion, workers, manifestEnv: folder.manifest.env, onProgress: progress, signal })
        .catch((error: Error) => { throw new DeployError(`could not build the image of ${name}: ${error.message}`, outputOf(error)); });
      rev = store.create({ service: name, target: 'container', digest: prepared.digest, modelVersion, config: { dir, workers, image: prepared.spec.image, ...deployedModel.config } });
      spec = { ...prepared.spec, revision: rev.revision };
    }
    spec = withModelEnv(spec, deployedModel.config[RESOLVED_MODEL_CONFIG_KEY] ?? requestedModel, deployedModel.config[MODEL_FILES_DIGEST_CONFIG_KEY], req.target === 'local' ? this.opts.storeDir : undefined);
    this.updateConfig(rev, { dir, workers, spec });
    signal?.throwIfAborted();

    const record: ServiceRecord = {
      name, dir, target: req.target, port: portChoice.port, autoRollback: policy,
      readyTimeoutMs: this.opts.readyTimeoutMs ?? 60_000, drainTimeoutMs: this.opts.drainTimeoutMs ?? 10_000,
      ...(req.model !== undefined ? { model: req.model } : {}),
    };
    this.saveRecord(paths, record);
    const startedHere = !client;
    if (!client) {
      progress(`starting the supervisor of ${name}`);
      client = await SupervisorClient.start(paths);
      this.saveRecord(paths, { ...record, port: client.info.port });
    }
    const result = await client.switchRevision('/activate', spec, progress);
    if (!result.ok) {
      store.markFailed(name, rev.revision, result.reason);
      const status = await client.status().catch(() => undefined);
      if (startedHere && !status?.active) await client.stop();
      throw new DeployError(`revision ${rev.revision} of ${name} did not become ready: ${result.reason}` +
        (status?.active ? `; revision ${status.active.revision} keeps serving` : ''), result.logExcerpt, rev.revision);
    }
    store.markActive(name, rev.revision);
    const url = `http://127.0.0.1:${result.port}`;
    progress(`${name} revision ${rev.revision} is live at ${url}`);
    return { service: name, revision: rev.revision, url };
  }

  async rollback(service: string, toRevision?: number, onProgress: (message: string) => void = () => undefined): Promise<DeployResult> {
    const progress = (m: string): void => { this.log(m); onProgress(m); };
    const paths = servicePaths(this.opts.storeDir, service);
    await this.reconcile(service, paths);
    const store = this.revisionStore();
    let target: number;
    try {
      target = chooseRollbackTarget(store.list(service), toRevision);
    } catch (error) {
      throw new DeployError((error as Error).message, '');
    }
    const rev = store.get(service, target)!;
    const config = rev.config as RevisionConfig;
    progress(`rolling ${service} back to revision ${target}`);
    if (rev.target === 'kubernetes') {
      if (!config.manifestsDir) throw new DeployError(`revision ${target} of ${service} has no manifests to apply`, '', target);
      await reapplyKubernetes(config.manifestsDir, progress);
      store.markActive(service, target);
      return { service, revision: target, manifestsDir: config.manifestsDir };
    }
    const spec = config.spec;
    if (!spec) throw new DeployError(`revision ${target} of ${service} was recorded without a runnable spec; deploy it again`, '', target);
    if (spec.kind === 'local' && spec.argv && !existsSync(spec.argv[0]) && spec.argv[0].includes('/')) {
      throw new DeployError(`the Python environment of revision ${target} (${spec.argv[0]}) is gone (venv cache cleared?); deploy the service again`, '', target);
    }
    let client = SupervisorClient.connect(paths);
    if (!client) {
      progress(`starting the supervisor of ${service}`);
      client = await SupervisorClient.start(paths);
    }
    const result = await client.switchRevision('/activate', spec, progress);
    if (!result.ok) {
      throw new DeployError(`rollback of ${service} to revision ${target} failed: ${result.reason}`, result.logExcerpt, target);
    }
    store.markActive(service, target);
    const url = `http://127.0.0.1:${result.port}`;
    progress(`${service} revision ${target} is live at ${url}`);
    return { service, revision: target, url };
  }

  async list(): Promise<ServiceStatus[]> {
    const root = servicesRoot(this.opts.storeDir);
    const names = existsSync(root) ? readdirSync(root).filter((n) => existsSync(join(root, n, 'service.json'))).sort() : [];
    const out: ServiceStatus[] = [];
    for (const name of names) {
      const paths = servicePaths(this.opts.storeDir, name);
      const record = readJsonFile<ServiceRecord>(paths.serviceFile);
      if (!record) continue;
      const status = await this.reconcile(name, paths);
      const active = this.revisionStore().active(name);
      if (record.target === 'kubernetes') {
        const config = (active?.config ?? {}) as RevisionConfig;
        out.push({
          name, dir: record.dir, target: 'kubernetes', state: active && config.applied ? 'healthy' : 'stopped',
          revision: active?.revision, modelVersion: active?.modelVersion, workers: config.workers,
          lastError: active && !config.applied ? `manifests written to ${config.manifestsDir} (no Kubernetes context configured)` : undefined,
        });
        continue;
      }
      out.push({
        name, dir: record.dir, target: record.target, state: serviceStateOf(status),
        url: status ? `http://127.0.0.1:${status.port}` : undefined,
        port: status?.port ?? (record.port || undefined),
        revision: status?.active?.revision ?? active?.revision,
        modelVersion: status?.active?.modelVersion ?? active?.modelVersion,
        modelOverride: record.model,
        workers: status?.active?.workers ?? (active?.config as RevisionConfig | undefined)?.workers,
        lastError: status?.lastError,
      });
    }
    return out;
  }

  async revisions(service: string): Promise<Revision[]> {
    await this.reconcile(service, servicePaths(this.opts.storeDir, service));
    return this.revisionStore().list(service);
  }

  async stop(service: string): Promise<void> {
    const paths = servicePaths(this.opts.storeDir, service);
    if (!existsSync(paths.serviceFile)) throw new Error(`no deployed service named '${service}'; 'modelcloud status' lists them`);
    const client = SupervisorClient.connect(paths);
    if (client) {
      await this.reconcile(service, paths);
      await client.stop();
    }
    // The store keeps the active revision as is: it is what restart brings back.
  }

  async restart(service: string): Promise<void> {
    const paths = servicePaths(this.opts.storeDir, service);
    const client = SupervisorClient.connect(paths);
    if (client) {
      const result = await client.switchRevision('/restart', undefined, this.log);
      if (!result.ok) throw new DeployError(`restart of ${service} failed: ${result.reason}`, result.logExcerpt, result.revision);
      return;
    }
    const store = this.revisionStore();
    const last = store.active(service);
    const spec = (last?.config as RevisionConfig | undefined)?.spec;
    if (!last || !spec) throw new Error(`${service} has no revision to restart; deploy it first`);
    const started = await SupervisorClient.start(paths);
    // A fresh supervisor resumes its last active revision by itself, but state.json may be gone: activate explicitly.
    const result = await started.switchRevision('/activate', spec, this.log);
    if (!result.ok) throw new DeployError(`restart of ${service} failed: ${result.reason}`, result.logExcerpt, last.revision);
    store.markActive(service, last.revision);
  }

  async scale(service: string, workers: number): Promise<void> {
    const problem = validateWorkers(workers);
    if (problem) throw new Error(problem);
    const client = SupervisorClient.connect(servicePaths(this.opts.storeDir, service));
    if (!client) throw new Error(`${service} is not running; restart it before scaling`);
    const result = await client.switchRevision('/scale', { workers }, this.log);
    if (!result.ok) throw new DeployError(`scaling ${service} to ${workers} workers failed: ${result.reason}`, result.logExcerpt, result.revision);
  }

  logFile(service: string): string | undefined {
    try {
      const paths = servicePaths(this.opts.storeDir, service);
      return existsSync(paths.dir) ? paths.logFile : undefined;
    } catch {
      return undefined;
    }
  }

  async adminToken(service: string): Promise<string | undefined> {
    try {
      return readFileSync(servicePaths(this.opts.storeDir, service).adminTokenFile, 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    this.store?.close();
    this.store = undefined;
  }

  // ------------------------------------------------------------------ internals

  private revisionStore(): RevisionStore {
    this.store ??= new RevisionStore(join(this.opts.storeDir, 'tracking.db'));
    return this.store;
  }

  /**
   * The supervisor is the truth about what serves: automatic rollbacks it made (and revisions it
   * resumed) are written into the store here, whenever someone looks.
   */
  private async reconcile(service: string, paths: ServicePaths): Promise<StatusResponse | undefined> {
    const client = SupervisorClient.connect(paths);
    const status = client ? await client.status().catch(() => undefined) : undefined;
    if (!status) return undefined;
    const store = this.revisionStore();
    // Each automatic rollback is applied once (cursor file), even if the store was read in between.
    const cursorFile = join(paths.dir, 'events.applied');
    let applied = 0;
    try { applied = Number(readFileSync(cursorFile, 'utf8').trim()) || 0; } catch { /* none yet */ }
    for (const event of status.events.filter((e) => e.seq > applied)) {
      if (store.get(service, event.to) && store.get(service, event.from)) {
        if (store.active(service)?.revision !== event.to) store.markActive(service, event.to, { revision: event.from, reason: event.reason });
        else store.markFailed(service, event.from, event.reason);
        this.log(`${service}: ${event.reason}; revision ${event.to} is active again`);
      }
      applied = event.seq;
      writeFileAtomic(cursorFile, `${applied}\n`);
    }
    const activeNow = status.active?.revision;
    if (activeNow !== undefined && store.active(service)?.revision !== activeNow && store.get(service, activeNow)) {
      store.markActive(service, activeNow);
    }
    return status;
  }

  private saveRecord(paths: ServicePaths, record: ServiceRecord): void {
    writeFileAtomic(paths.serviceFile, `${JSON.stringify(record, null, 2)}\n`);
  }

  private updateConfig(rev: Revision, config: RevisionConfig): void {
    // Keeps what the model URI resolved to at deploy time (the lineage of model versions reads it).
    const resolved = rev.config[RESOLVED_MODEL_CONFIG_KEY];
    this.revisionStore().setConfig(rev.service, rev.revision, resolved === undefined ? config : { ...config, [RESOLVED_MODEL_CONFIG_KEY]: resolved });
  }


  private policyOf(requested: DeployRequestWithPolicy['autoRollback'], existing: AutoRollbackPolicy | undefined): AutoRollbackPolicy {
    if (requested === undefined) return existing ?? DEFAULT_AUTO_ROLLBACK;
    if (requested === false) return { ...(existing ?? DEFAULT_AUTO_ROLLBACK), enabled: false };
    const base = { ...DEFAULT_AUTO_ROLLBACK, enabled: true };
    const policy: AutoRollbackPolicy = requested === true ? base : {
      enabled: true,
      threshold: requested.threshold ?? base.threshold,
      windowMs: requested.windowSeconds !== undefined ? requested.windowSeconds * 1000 : base.windowMs,
      minRequests: requested.minRequests ?? base.minRequests,
      graceMs: requested.graceSeconds !== undefined ? requested.graceSeconds * 1000 : base.graceMs,
    };
    const problem = validateAutoRollback(policy);
    if (problem) throw new DeployError(problem, '');
    return policy;
  }
}

function relativeIn(dir: string, file: string): string {
  return isAbsolute(file) ? relative(dir, file) : file;
}

function outputOf(error: unknown): string {
  const output = (error as { output?: unknown }).output;
  return typeof output === 'string' ? output : '';
}

/**
 * What `modelcloud.load_model()` (no argument) loads in the service: MODELCLOUD_MODEL_URI is the
 * registry version the model reference resolved to at deploy time (models:/wine@champion →
 * models:/wine/3), so a revision keeps serving its version after the alias moves, and a rollback
 * brings the old version back. A local process also gets the store it was deployed from
 * (MODELCLOUD_DIR); a container must bring its model files along.
 */
function withModelEnv(spec: RevisionSpec, modelUri: string | undefined, filesDigest: string | undefined, storeDir: string | undefined): RevisionSpec {
  const env = { ...spec.env };
  if (modelUri?.startsWith('models:/')) env.MODELCLOUD_MODEL_URI = modelUri;
  // Lets load_model() notice that a sync renumbered the version, and find its files under the new number.
  if (filesDigest) env.MODELCLOUD_MODEL_DIGEST = filesDigest;
  if (storeDir) env.MODELCLOUD_DIR = resolve(storeDir);
  return { ...spec, env };
}
