// Package a service folder: write a build context (Dockerfile, .dockerignore, deps/, runtime/,
// code/, model/) and build it with the detected container engine. Without an engine the context
// is still written and the result says why nothing was built.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  baseImageFor, CONTEXT_DIRS, generateDockerfile, generateDockerignore, PIP_BUILD_ARGS,
} from '../../core/services/dockerfile';
import type { ServiceManifest } from '../../core/services/manifest';
import { detectEngineWithReasons, noEngineMessage, type ContainerEngine, type EngineName } from '../containers/engine';
import { listFiles, loadServiceFolder, toPosix, type ServiceFolder } from './serviceFolder';

export interface PackageOptions {
  /** Where the context goes; default <dir>/.modelcloud/build/<name>/. */
  outDir?: string;
  /** Overrides MODELCLOUD_BASE_IMAGE and the default python:<python>-slim. */
  baseImage?: string;
  /** The engine to build with; detected (preference below, then podman, then docker) when absent. */
  engine?: ContainerEngine;
  enginePreference?: 'auto' | EngineName;
  /** false: only write the context. */
  build?: boolean;
  onLine?: (line: string) => void;
  /** What the image reports as its model version; default manifest.model, else sha256:<12 hex> of the model files. */
  modelVersion?: string;
  sourceRun?: string;
  /** --build-arg values; default the MODELCLOUD_PIP_* variables (PIP_INDEX_URL etc.) from env. */
  buildArgs?: Record<string, string>;
  /** Build network; default 'host' when env MODELCLOUD_BUILD_NETWORK=host (a pip index on the host's 127.0.0.1). */
  network?: 'host';
  /** podman: bind mounts for RUN steps; default env MODELCLOUD_BUILD_VOLUMES (comma-separated HOST:CONTAINER[:ro]). */
  volumes?: string[];
  /** Build every layer afresh (benchmarks). */
  noCache?: boolean;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface PackageResult {
  contextDir: string;
  dockerfile: string;
  imageTag: string;
  built: boolean;
  imageId?: string;
  /** Why the image was not built (no engine, --no-build). */
  reason?: string;
  /** sha256 over the context's sorted relative paths and bytes: equal digests, equal images. */
  digest: string;
  manifest: ServiceManifest;
  modelVersion?: string;
  baseImage: string;
  engine?: EngineName;
  buildSeconds?: number;
  /** Manifest warnings to show the user. */
  warnings: string[];
}

/** Marks a folder as ours, so a re-package may empty it. */
const CONTEXT_MARKER = '.modelcloud-context';

export async function packageService(dir: string, opts: PackageOptions = {}): Promise<PackageResult> {
  const env = opts.env ?? process.env;
  const folder = await loadServiceFolder(dir);
  const { manifest } = folder;
  const contextDir = resolve(opts.outDir ?? join(folder.dir, '.modelcloud', 'build', manifest.name));
  prepareContextDir(contextDir);

  const runtime = locateRuntimePackage(env);
  copyTree(runtime.dir, join(contextDir, CONTEXT_DIRS.runtime, 'modelcloud'));
  if (folder.requirementsFile) copyInto(join(folder.dir, folder.requirementsFile), join(contextDir, CONTEXT_DIRS.deps, folder.requirementsFile));
  const modelSet = new Set(folder.modelFiles);
  const codeFiles = listFiles(folder.dir, (abs) => abs === contextDir || isInside(abs, contextDir))
    .map((abs) => toPosix(relative(folder.dir, abs)))
    .filter((rel) => !modelSet.has(rel) && rel !== folder.requirementsFile);
  mkdirSync(join(contextDir, CONTEXT_DIRS.code), { recursive: true });
  for (const rel of codeFiles) copyInto(join(folder.dir, rel), join(contextDir, CONTEXT_DIRS.code, rel));
  for (const rel of folder.modelFiles) copyInto(join(folder.dir, rel), join(contextDir, CONTEXT_DIRS.model, rel));

  const modelVersion = opts.modelVersion ?? manifest.model ?? modelFilesVersion(folder);
  const baseImage = opts.baseImage ?? (env.MODELCLOUD_BASE_IMAGE || undefined) ?? baseImageFor(manifest);
  const dockerfile = generateDockerfile({
    manifest, baseImage, requirementsFile: folder.requirementsFile, hasModels: folder.modelFiles.length > 0,
    modelVersion, sourceRun: opts.sourceRun, runtimeVersion: runtime.version,
  });
  writeFileSync(join(contextDir, 'Dockerfile'), dockerfile, { mode: 0o644 });
  writeFileSync(join(contextDir, '.dockerignore'), generateDockerignore(), { mode: 0o644 });
  fixTimestamps(contextDir);
  const digest = contextDigest(contextDir);
  const imageTag = `modelcloud/${manifest.name}:${digest.slice(0, 12)}`;
  const result: PackageResult = {
    contextDir, dockerfile, imageTag, built: false, digest, manifest, modelVersion, baseImage,
    warnings: folder.warnings.map((w) => w.message),
  };

  if (opts.build === false) return { ...result, reason: 'skipped (--no-build); the context is ready to build' };
  let engine = opts.engine;
  if (!engine) {
    const detection = await detectEngineWithReasons(opts.enginePreference ?? 'auto', env);
    if (!detection.engine) {
      return { ...result, reason: `${noEngineMessage(detection.tried)}. The context is ready: ${buildCommandHint(contextDir, imageTag)}` };
    }
    engine = detection.engine;
  }
  const built = await engine.build({
    contextDir, tag: imageTag, onLine: opts.onLine, signal: opts.signal, noCache: opts.noCache,
    network: opts.network ?? (env.MODELCLOUD_BUILD_NETWORK === 'host' ? 'host' : undefined),
    buildArgs: opts.buildArgs ?? pipBuildArgsFromEnv(env),
    volumes: opts.volumes ?? env.MODELCLOUD_BUILD_VOLUMES?.split(',').map((v) => v.trim()).filter(Boolean),
  });
  return { ...result, built: true, imageId: built.imageId, engine: engine.name, buildSeconds: built.seconds };
}

export function buildCommandHint(contextDir: string, tag: string): string {
  return `docker build -t ${tag} ${contextDir}  (or podman build --format docker ...)`;
}

/** MODELCLOUD_PIP_INDEX_URL etc. → PIP_INDEX_URL build args (only those set). */
export function pipBuildArgsFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PIP_BUILD_ARGS) {
    const value = env[`MODELCLOUD_${name}`];
    if (value) out[name] = value;
  }
  return out;
}

/**
 * The `modelcloud` Python package to vendor: env MODELCLOUD_PYTHON_PACKAGE_DIR (the package folder
 * or its parent), else src/python/modelcloud found upwards from this module (dist/ in the
 * extension bundle, out/src/... in tests).
 */
export function locateRuntimePackage(env: NodeJS.ProcessEnv = process.env): { dir: string; version?: string } {
  const candidates: string[] = [];
  const configured = env.MODELCLOUD_PYTHON_PACKAGE_DIR;
  if (configured) candidates.push(configured, join(configured, 'modelcloud'));
  else {
    for (let d = __dirname, i = 0; i < 8; i++, d = dirname(d)) candidates.push(join(d, 'src', 'python', 'modelcloud'), join(d, 'python', 'modelcloud'));
  }
  const dir = candidates.find((c) => existsSync(join(c, '__init__.py')));
  if (!dir) {
    throw new Error(`cannot find the modelcloud Python package to put into the image (looked in ${candidates.slice(0, 4).join(', ')}, ...); ` +
      'set MODELCLOUD_PYTHON_PACKAGE_DIR to the folder that holds modelcloud/__init__.py');
  }
  const versionFile = join(dir, '_version.py');
  const version = existsSync(versionFile) ? /__version__\s*=\s*['"]([^'"]+)['"]/.exec(readFileSync(versionFile, 'utf8'))?.[1] : undefined;
  return { dir: resolve(dir), version };
}

/** sha256 over sorted relative paths and file bytes (a NUL between fields, so no two trees collide). */
export function contextDigest(dir: string): string {
  const hash = createHash('sha256');
  const files = walkAll(dir).map((abs) => toPosix(relative(dir, abs))).filter((rel) => rel !== CONTEXT_MARKER).sort();
  for (const rel of files) {
    hash.update(rel).update('\0').update(readFileSync(join(dir, rel))).update('\0');
  }
  return hash.digest('hex');
}

/** sha256:<12 hex> over the model files: a version label that changes exactly when the model does. */
function modelFilesVersion(folder: ServiceFolder): string | undefined {
  if (!folder.modelFiles.length) return undefined;
  const hash = createHash('sha256');
  for (const rel of folder.modelFiles) hash.update(rel).update('\0').update(readFileSync(join(folder.dir, rel))).update('\0');
  return `sha256:${hash.digest('hex').slice(0, 12)}`;
}

/** Empties a previous context (only one we wrote: it has the marker) and creates the folder. */
function prepareContextDir(contextDir: string): void {
  if (existsSync(contextDir)) {
    const entries = readdirSync(contextDir);
    if (entries.length && !entries.includes(CONTEXT_MARKER)) {
      throw new Error(`${contextDir} exists and is not a Modelcloud build context; choose an empty or new output folder`);
    }
    rmSync(contextDir, { recursive: true, force: true });
  }
  mkdirSync(contextDir, { recursive: true });
  writeFileSync(join(contextDir, CONTEXT_MARKER), 'Written by Modelcloud; emptied on every package.\n');
}

/** Copies one file, world-readable (the service runs as an unprivileged user), keeping the exec bit. */
function copyInto(src: string, dest: string): void {
  mkdirSync(dirname(dest), { recursive: true, mode: 0o755 });
  copyFileSync(src, dest);
  chmodSync(dest, statSync(src).mode & 0o111 ? 0o755 : 0o644);
}

function copyTree(src: string, dest: string): void {
  for (const abs of listFiles(src)) copyInto(abs, join(dest, relative(src, abs)));
}

/**
 * One fixed mtime for everything in the context. podman (buildah) keys the COPY cache on file
 * headers as well as bytes, so fresh copies with new mtimes would rebuild the code layer on every
 * package; with fixed times only changed content does.
 */
const CONTEXT_MTIME = new Date('2000-01-01T00:00:00Z');

function fixTimestamps(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) fixTimestamps(path);
    utimesSync(path, CONTEXT_MTIME, CONTEXT_MTIME);
  }
  utimesSync(dir, CONTEXT_MTIME, CONTEXT_MTIME);
}

function walkAll(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walkAll(path) : [path];
  });
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/');
}
